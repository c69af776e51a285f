using System.Globalization;
using System.Net;
using System.Text;

namespace Fulcrum.Lab;

/// <summary>Writes the `overload` report: index.html (self-contained, inline SVG) with summary.csv and requests.csv beside it.</summary>
public static class OverloadReport
{
    /// <summary>The bounds docs/protection.md states, which the end-to-end test holds the short mode to.</summary>
    public const double GoodputShareAtLeast = 0.8;

    /// <summary>
    /// The bound on the p99 of the answers served with shedding: 10 service times (2 s in the short mode), half the
    /// clients' deadline. The limit keeps the p99 near 2 service times; the rest is room for a loaded machine, where
    /// a stall of the whole machine (every process waits for a CPU) lengthens every wait and no limit can help.
    /// </summary>
    public static TimeSpan P99Bound(OverloadScenario.Size size) => size.ServiceTime * 10;

    /// <summary>True when the runs show the claim: with shedding, goodput and p99 within the bounds; without, goodput under half of capacity.</summary>
    public static bool HoldsTheClaim(OverloadResult result) =>
        result.Runs.FirstOrDefault(r => r.Name == OverloadScenario.Shedding) is { } with
        && result.Runs.FirstOrDefault(r => r.Name == OverloadScenario.NoShedding) is { } without
        && with.GoodputShare >= GoodputShareAtLeast && with.P99Ms < P99Bound(result.Size).TotalMilliseconds
        && without.GoodputShare < 0.5;

    public static string Write(string directory, OverloadResult result)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "summary.csv"), SummaryCsv(result));
        File.WriteAllText(Path.Combine(directory, "requests.csv"), RequestsCsv(result));
        File.WriteAllText(Path.Combine(directory, "limits.csv"), LimitsCsv(result));
        var index = Path.Combine(directory, "index.html");
        File.WriteAllText(index, Html(result));
        return index;
    }

    /// <summary>Whether the runs show the claim, then one sentence per mode.</summary>
    public static string Verdict(OverloadResult result) =>
        (HoldsTheClaim(result) ? "The measurement agrees with the claim" : "The measurement does NOT show the claim on this machine")
        + Invariant($" (with shedding: goodput at least {GoodputShareAtLeast * 100:0}% of capacity and p99 under {P99Bound(result.Size).TotalMilliseconds:0} ms; without: goodput collapses). ")
        + string.Join(" ", result.Runs.Select(Line));

    public static string Line(OverloadRun run) => Invariant(
        $"{run.Name}: goodput {run.Goodput:0} requests/s ({run.GoodputShare * 100:0}% of the {run.Capacity:0} the backends can serve), {(run.Served == 0 ? "none served in time" : Invariant($"p99 {run.P99Ms:0} ms of those served"))}, {Share(run.Shed, run.Offered):0}% shed at once, {Share(run.Lost, run.Offered):0}% lost at the deadline.");

    private static string Ms(OverloadRun run, double ms) => run.Served == 0 ? "none" : ms.ToString("0", CultureInfo.InvariantCulture);

    private static double Share(int part, int whole) => whole == 0 ? 0 : part * 100.0 / whole;

    private static string SummaryCsv(OverloadResult result)
    {
        var csv = new StringBuilder("mode,offered_per_second,capacity_per_second,goodput_per_second,goodput_share,p50_ms,p99_ms,shed,lost,offered\n");
        foreach (var r in result.Runs)
        {
            csv.Append(Invariant($"{r.Name},{r.OfferedPerSecond:0.#},{r.Capacity:0.#},{r.Goodput:0.#},{r.GoodputShare:0.###},{r.P50Ms:0.#},{r.P99Ms:0.#},{r.Shed},{r.Lost},{r.Offered}\n"));
        }

        return csv.ToString();
    }

    private static string RequestsCsv(OverloadResult result)
    {
        var csv = new StringBuilder("mode,start_ms,latency_ms,backend,status\n");
        foreach (var run in result.Runs)
        {
            foreach (var r in run.Requests) csv.Append(Invariant($"{run.Name},{r.StartMs:0.#},{r.LatencyMs:0.#},{r.Backend},{r.Status}\n"));
        }

        return csv.ToString();
    }

    private static string LimitsCsv(OverloadResult result)
    {
        var csv = new StringBuilder("mode,at_ms,limit,in_flight,measuring_min_rtt\n");
        foreach (var run in result.Runs)
        {
            foreach (var l in run.Limits) csv.Append(Invariant($"{run.Name},{l.AtMs:0},{l.Limit},{l.InFlight},{(l.Measuring ? 1 : 0)}\n"));
        }

        return csv.ToString();
    }

    private static string Html(OverloadResult result)
    {
        var size = result.Size;
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Fulcrum lab: overload</title>
            <style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
            table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}
            th:first-child,td:first-child{text-align:left}.verdict{font-weight:bold}figure{margin:1em 0}</style></head><body>
            <h1>Fulcrum lab: overload</h1>

            """);
        html.Append(Invariant($"<p>Run {result.Started:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} CPUs, {result.Took.TotalSeconds:0} s in all{(result.Short ? " (short mode)" : "")}.</p>\n"));
        html.Append("<p class=\"verdict\">").Append(WebUtility.HtmlEncode(Verdict(result))).Append("</p>\n");
        html.Append(Invariant($"""
            <h2>Setup</h2>
            <p>{size.Backends} backends, each a Kestrel server with {size.Workers} workers taking {size.ServiceTime.TotalMilliseconds:0} ms a request
            and a FIFO queue before them, which serves a request whose client went away in its turn all the same (as a server
            that cannot tell does): at most {size.NominalCapacity:0} requests/s in all. An open-loop load generator starts
            {size.OfferedRate:0} requests/s ({OverloadScenario.Overload:0}x) whatever happens to those before; each gives up after
            {size.Deadline.TotalSeconds:0.#} s. A fresh Fulcrum balancer (the <code>BalancerHost</code> of <code>fulcrum run</code>) and fresh backends per mode:
            one round-robin pool as it is, then the same pool with <code>{size.SheddingBlock}</code>. The figures count the
            requests started after a {size.WarmUp.TotalSeconds:0} s warm-up, over {size.Measure.TotalSeconds:0} s. Goodput is answers 200
            received within the deadline, per second.</p>
            <h2>What was measured</h2>
            <table><tr><th>mode</th><th>offered/s</th><th>goodput/s</th><th>of capacity</th><th>p50 ms</th><th>p99 ms</th><th>shed</th><th>lost</th></tr>

            """));
        foreach (var r in result.Runs)
        {
            html.Append(Invariant($"<tr><td>{r.Name}</td><td>{r.OfferedPerSecond:0}</td><td>{r.Goodput:0}</td><td>{r.GoodputShare * 100:0}%</td><td>{Ms(r, r.P50Ms)}</td><td>{Ms(r, r.P99Ms)}</td><td>{Share(r.Shed, r.Offered):0}%</td><td>{Share(r.Lost, r.Offered):0}%</td></tr>\n"));
        }

        html.Append("</table>\n");
        Figure(html, SvgChart.Lines("goodput per second of start", "answers 200/s", [.. result.Runs.Select(r => (r.Name, PerSecond(r, s => s.Count(x => x.Status == 200))))]));
        Figure(html, SvgChart.Lines("p99 latency of the answers 200, per second of start", "ms", [.. result.Runs.Select(r => (r.Name, PerSecond(r, P99)))]));
        if (result.Runs.FirstOrDefault(r => r.Limits.Count > 0) is { } limited)
        {
            Figure(html, SvgChart.Lines($"adaptive limit and requests in flight: {limited.Name}", "requests",
            [
                ("limit", [.. limited.Limits.Select(l => (l.AtMs / 1000, (double)l.Limit))]),
                ("in flight", [.. limited.Limits.Select(l => (l.AtMs / 1000, (double)l.InFlight))]),
            ]));
        }

        html.Append("""
            <h2>How to read it</h2>
            <p>Without shedding every request reaches a backend. The queues grow by the excess every second; once the wait
            in them passes the clients' deadline, the clients give up on every request while the workers go on serving the
            ones already given up on, so goodput falls towards nothing although the backends are busy all the time.
            With adaptive concurrency the pool keeps the requests in flight near what the backends serve without queueing
            (the limit follows the latency: it shrinks when the latency rises over the idle latency plus 25%), and answers
            503 at once to the rest, so what is admitted is served in about the service time and the backends do only
            useful work. The first seconds of the second run are the minRTT measurement (the limit is held at min-concurrency) and the
            limit's climb, which the warm-up leaves out.</p>
            <h2>Raw data</h2>
            <ul><li><a href="summary.csv">summary.csv</a>: the table above</li>
            <li><a href="requests.csv">requests.csv</a>: every request (start, latency, backend, status; 0 is no answer in time)</li>
            <li><a href="limits.csv">limits.csv</a>: the adaptive limit and the requests in flight under it, every 100 ms</li></ul>
            </body></html>

            """);
        return html.ToString();
    }

    private static IReadOnlyList<(double X, double Y)> PerSecond(OverloadRun run, Func<List<RequestSample>, double> value) =>
        [.. run.Requests.GroupBy(r => (int)(r.StartMs / 1000)).OrderBy(g => g.Key).Select(g => ((double)g.Key, value([.. g])))];

    private static double P99(List<RequestSample> second)
    {
        var served = second.Where(r => r.Status == 200).Select(r => r.LatencyMs).Order().ToArray();
        return served.Length == 0 ? 0 : served[Math.Clamp((int)Math.Ceiling(0.99 * served.Length) - 1, 0, served.Length - 1)];
    }

    private static void Figure(StringBuilder html, string svg) => html.Append("<figure>").Append(svg).Append("</figure>\n");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
