using System.Globalization;
using System.Net;
using System.Text;
using Fulcrum.Core.Balancing;

namespace Fulcrum.Lab;

/// <summary>
/// Writes the `slow-server` report: index.html (self-contained: inline SVG, inline CSS, no script)
/// and the raw data beside it as summary.csv, requests.csv and inflight.csv.
/// </summary>
public static class SlowServerReport
{
    public const string SeedFile = "002_dd9afe98e055f88a.txt";
    public const string SeedClaim = "Server B gets overloaded despite \"fair\" distribution. [...] Use case: Requests with varying processing times, long-lived connections";
    public const string SecondSeedFile = "004_6bcff7d9a8fa894a.txt";
    public const string SecondSeedClaim = "Least connections when: request duration varies (some long, some short), server capacities differ";

    /// <summary>Writes every file and returns the path of index.html.</summary>
    public static string Write(string directory, SlowServerResult result)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "summary.csv"), SummaryCsv(result));
        File.WriteAllText(Path.Combine(directory, "requests.csv"), RequestsCsv(result));
        File.WriteAllText(Path.Combine(directory, "inflight.csv"), InFlightCsv(result));
        var index = Path.Combine(directory, "index.html");
        File.WriteAllText(index, Html(result));
        return index;
    }

    /// <summary>One sentence: whether least-connections beat round-robin here, on both p99 and requests/s.</summary>
    public static string Verdict(SlowServerResult result)
    {
        var rr = result.Runs.FirstOrDefault(r => r.Algorithm == BalancerNames.RoundRobin);
        var lc = result.Runs.FirstOrDefault(r => r.Algorithm == BalancerNames.LeastConnections);
        if (rr is null || lc is null) return "Round robin or least connections did not run: no verdict.";
        var figures = Invariant($"least-connections p99 {lc.P99Ms:0.#} ms and {lc.RequestsPerSecond:0} requests/s against round-robin's {rr.P99Ms:0.#} ms and {rr.RequestsPerSecond:0} requests/s");
        return lc.P99Ms < rr.P99Ms && lc.RequestsPerSecond > rr.RequestsPerSecond
            ? $"The measurement agrees with the claim: {figures}."
            : $"The measurement does NOT show the claim on this machine: {figures}.";
    }

    private static string SummaryCsv(SlowServerResult result)
    {
        var csv = new StringBuilder("algorithm,requests,errors,seconds,requests_per_second,p50_ms,p99_ms");
        foreach (var backend in result.Backends) csv.Append(",share_").Append(backend.Name);
        foreach (var backend in result.Backends) csv.Append(",mean_in_flight_").Append(backend.Name);
        csv.Append('\n');
        foreach (var run in result.Runs)
        {
            csv.Append(Invariant($"{run.Algorithm},{run.Succeeded},{run.Errors},{run.Elapsed.TotalSeconds:0.###},{run.RequestsPerSecond:0.##},{run.P50Ms:0.###},{run.P99Ms:0.###}"));
            foreach (var backend in result.Backends) csv.Append(Invariant($",{run.ShareOf(backend.Name):0.####}"));
            foreach (var backend in result.Backends) csv.Append(Invariant($",{run.MeanInFlight(backend.Name):0.###}"));
            csv.Append('\n');
        }

        return csv.ToString();
    }

    private static string RequestsCsv(SlowServerResult result)
    {
        var csv = new StringBuilder("algorithm,start_ms,latency_ms,backend,status\n");
        foreach (var run in result.Runs)
        {
            foreach (var r in run.Requests)
            {
                csv.Append(Invariant($"{run.Algorithm},{r.StartMs:0.###},{r.LatencyMs:0.###},{r.Backend},{r.Status}\n"));
            }
        }

        return csv.ToString();
    }

    private static string InFlightCsv(SlowServerResult result)
    {
        var csv = new StringBuilder("algorithm,at_ms,backend,in_flight\n");
        foreach (var run in result.Runs)
        {
            foreach (var s in run.InFlight)
            {
                csv.Append(Invariant($"{run.Algorithm},{s.AtMs:0.#},{s.Backend},{s.Active}\n"));
            }
        }

        return csv.ToString();
    }

    private static string Html(SlowServerResult result)
    {
        var html = new StringBuilder();
        html.Append("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Fulcrum lab: slow-server</title>
            <style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
            table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}
            th:first-child,td:first-child{text-align:left}blockquote{border-left:4px solid #ccc;margin:0;padding:.2em 1em;color:#444}
            .verdict{font-weight:bold;font-size:1.1em}figure{margin:1em 0}</style></head><body>
            <h1>Fulcrum lab: slow-server</h1>

            """);
        html.Append(Invariant($"<p>Run {result.Started:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} CPUs, {result.Took.TotalSeconds:0} s in all{(result.Short ? " (short mode: figures are noisy)" : "")}.</p>\n"));
        html.Append("<p class=\"verdict\">").Append(Encode(Verdict(result))).Append("</p>\n");

        html.Append("<h2>Setup</h2>\n<ul>\n");
        foreach (var backend in result.Backends)
        {
            html.Append(Invariant($"<li><b>{Encode(backend.Name)}</b>: {backend.Workers} workers, {backend.ServiceTime.TotalMilliseconds:0} ms a request asked ({backend.MeasuredServiceTime.TotalMilliseconds:0.0} ms measured: a timer wait ends on the next tick), so at most {backend.Capacity:0} requests/s; more wait in a FIFO queue.</li>\n"));
        }

        var fastest = result.Backends.Min(b => b.MeasuredServiceTime.TotalMilliseconds);
        var slowest = result.Backends.Max(b => b.MeasuredServiceTime.TotalMilliseconds);
        html.Append(Invariant($"<li>As measured, the slow backend takes {slowest / fastest:0.0} times as long as the fastest.</li>\n"));
        html.Append(Invariant($"""
            </ul>
            <p>Each backend is a Kestrel server in the lab's process on 127.0.0.1. In front of them, a Fulcrum balancer
            (the same <code>BalancerHost</code> and L7 listener <code>fulcrum run</code> uses, fresh for each algorithm) with one
            pool. A closed-loop load generator in the same process runs {SlowServerScenario.Clients} clients, each sending its
            next request when its last one is answered, for {result.MeasurePerAlgorithm.TotalSeconds:0} s per algorithm
            (at most {SlowServerScenario.MaxRequestsPerAlgorithm} requests), after an unreported warm-up. The pool's in-flight
            counters are sampled every {SlowServerScenario.SampleInterval.TotalMilliseconds:0} ms. Everything, load generator
            included, shares this machine's {Environment.ProcessorCount} CPUs.</p>

            """));

        html.Append("<h2>What the seeds claim</h2>\n");
        html.Append("<blockquote>").Append(Encode(SeedClaim)).Append("</blockquote><p>seeds/").Append(SeedFile).Append(", \"Least Connections\"</p>\n");
        html.Append("<blockquote>").Append(Encode(SecondSeedClaim)).Append("</blockquote><p>seeds/").Append(SecondSeedFile).Append("</p>\n");

        html.Append("<h2>What was measured</h2>\n<table><tr><th>algorithm</th><th>requests</th><th>errors</th><th>requests/s</th><th>p50 ms</th><th>p99 ms</th>");
        foreach (var backend in result.Backends) html.Append("<th>share ").Append(Encode(backend.Name)).Append("</th>");
        foreach (var backend in result.Backends) html.Append("<th>mean in flight ").Append(Encode(backend.Name)).Append("</th>");
        html.Append("</tr>\n");
        foreach (var run in result.Runs)
        {
            html.Append(Invariant($"<tr><td>{run.Algorithm}</td><td>{run.Succeeded}</td><td>{run.Errors}</td><td>{run.RequestsPerSecond:0}</td><td>{run.P50Ms:0.0}</td><td>{run.P99Ms:0.0}</td>"));
            foreach (var backend in result.Backends) html.Append(Invariant($"<td>{run.ShareOf(backend.Name) * 100:0.0}%</td>"));
            foreach (var backend in result.Backends) html.Append(Invariant($"<td>{run.MeanInFlight(backend.Name):0.0}</td>"));
            html.Append("</tr>\n");
        }

        html.Append("</table>\n");
        var names = result.Runs.Select(r => r.Algorithm).ToList();
        Figure(html, SvgChart.Bars("p99 latency per algorithm", "ms", names, [.. result.Runs.Select(r => r.P99Ms)]));
        Figure(html, SvgChart.Bars("requests per second per algorithm", "requests/s", names, [.. result.Runs.Select(r => r.RequestsPerSecond)]));
        // Round robin against least connections on one scale, so the heights compare at a glance.
        string[] compared = [BalancerNames.RoundRobin, BalancerNames.LeastConnections];
        var inFlightMax = result.Runs.Where(r => compared.Contains(r.Algorithm)).SelectMany(r => r.InFlight).Select(s => (double)s.Active).DefaultIfEmpty(0).Max();
        foreach (var algorithm in compared)
        {
            if (result.Runs.FirstOrDefault(r => r.Algorithm == algorithm) is { } run)
            {
                Figure(html, SvgChart.Lines($"in flight per backend over time: {algorithm}", "requests in flight", InFlightSeries(run, result.Backends), inFlightMax));
            }
        }

        html.Append("""
            <h2>How to read it</h2>
            <p>Round robin gives each backend the same number of requests, so the slow backend's queue grows until most
            clients wait in it: its in-flight line climbs, the p99 is the slow queue's wait, and requests/s falls to
            about three times what the slow backend alone can serve. Least connections sends the next request where
            the fewest are in flight, so the queues stay level and the fast backends take most of the work.
            Least response time and power of two choices read the same counters (latency, or two random backends'
            in-flight counts). When the figures above disagree with this, the verdict at the top says so.</p>
            <h2>Raw data</h2>
            <ul><li><a href="summary.csv">summary.csv</a>: the table above</li>
            <li><a href="requests.csv">requests.csv</a>: every request (start, latency, backend, status)</li>
            <li><a href="inflight.csv">inflight.csv</a>: every in-flight sample</li></ul>
            </body></html>

            """);
        return html.ToString();
    }

    private static List<(string Name, IReadOnlyList<(double X, double Y)> Points)> InFlightSeries(AlgorithmRun run, IReadOnlyList<LabBackend> backends)
    {
        var series = new List<(string, IReadOnlyList<(double, double)>)>();
        foreach (var backend in backends)
        {
            IReadOnlyList<(double, double)> points = [.. run.InFlight.Where(s => s.Backend == backend.Name).Select(s => (s.AtMs / 1000, (double)s.Active))];
            series.Add((backend.Name, points));
        }

        return series;
    }

    private static void Figure(StringBuilder html, string svg) => html.Append("<figure>").Append(svg).Append("</figure>\n");

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
