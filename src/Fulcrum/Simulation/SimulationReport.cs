using System.Globalization;
using System.Net;
using System.Text;
using Fulcrum.Lab;

namespace Fulcrum.Simulation;

/// <summary>The simulator's output: a table for the terminal, and index.html (inline SVG, no script) with summary.csv.</summary>
internal static class SimulationReport
{
    public static string Table(SimulationSettings s, IReadOnlyList<SimulationResult> results)
    {
        var text = new StringBuilder();
        text.Append(Invariant($"{s.Backends} backends, {s.Requests} requests, load {s.Load:0.##}, service {ServiceTimes.Name(s.Service)} mean {s.MeanService * 1000:0.###} ms, {s.Workers} worker(s) each"));
        if (s.SlowFraction > 0) text.Append(Invariant($", {s.SlowFraction:P0} {s.SlowFactor:0.#}x slower"));
        if (s.FailFraction > 0) text.Append(Invariant($", {s.FailFraction:P0} failing, {s.Retries} retries"));
        if (s.HedgeSeconds > 0) text.Append(Invariant($", a copy hedged after {s.HedgeSeconds * 1000:0.###} ms"));
        if (s.Balancers > 1) text.Append(Invariant($", {s.Balancers} balancers ")).Append(s.RefreshSeconds > 0 ? Invariant($"sharing load every {s.RefreshSeconds * 1000:0.###} ms") : "each knowing only its own requests");
        text.Append(Invariant($", seed {s.Seed}\n\n"));
        text.Append(Invariant($"{"algorithm",-28}{"requests",11}{"errors",9}{"mean ms",10}{"p50 ms",10}{"p99 ms",10}{"p99.9 ms",10}{"max queue",10}{"imbalance",10}{"took s",8}"));
        text.Append(s.HedgeSeconds > 0 ? Invariant($"{"copies",9}\n") : "\n");
        foreach (var r in results)
        {
            text.Append(Invariant($"{r.Algorithm,-28}{r.Requests,11}{r.Errors,9}{r.Latency.Mean * 1000,10:0.##}{r.Latency.Percentile(0.5) * 1000,10:0.##}{r.Latency.Percentile(0.99) * 1000,10:0.##}{r.Latency.Percentile(0.999) * 1000,10:0.##}{r.MaxQueue,10}{r.Imbalance(s),10:0.###}{r.WallTime.TotalSeconds,8:0.0}"));
            text.Append(s.HedgeSeconds > 0 ? Invariant($"{100 * r.HedgeShare,8:0.0}%\n") : "\n");
        }

        return text.ToString();
    }

    /// <summary>Writes index.html and summary.csv into <paramref name="directory"/>; returns the path of index.html.</summary>
    public static string Write(string directory, SimulationSettings s, IReadOnlyList<SimulationResult> results)
    {
        Directory.CreateDirectory(directory);
        var csv = new StringBuilder("algorithm,requests,errors,retries,mean_ms,p50_ms,p99_ms,p999_ms,max_queue,imbalance,simulated_s,wall_s,hedges_sent,hedge_wins\n");
        foreach (var r in results)
        {
            csv.Append(Invariant($"{r.Algorithm},{r.Requests},{r.Errors},{r.RetriesSent},{r.Latency.Mean * 1000:0.####},{r.Latency.Percentile(0.5) * 1000:0.####},{r.Latency.Percentile(0.99) * 1000:0.####},{r.Latency.Percentile(0.999) * 1000:0.####},{r.MaxQueue},{r.Imbalance(s):0.####},{r.SimulatedSeconds:0.###},{r.WallTime.TotalSeconds:0.###},{r.HedgesSent},{r.HedgeWins}\n"));
        }

        File.WriteAllText(Path.Combine(directory, "summary.csv"), csv.ToString());
        var names = results.Select(r => r.Algorithm).ToList();
        var html = new StringBuilder("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Fulcrum simulate</title>
            <style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
            pre{background:#f6f6f6;padding:1em;overflow-x:auto}figure{margin:1em 0}</style></head><body>
            <h1>Fulcrum simulate</h1>

            """);
        html.Append("<p>A discrete-event simulation on Fulcrum's own balancer classes: Poisson arrivals, FIFO queues at the backends, simulated time (docs/lab.md, \"The simulator\"). The first ")
            .Append(Invariant($"{s.WarmUp:P0}")).Append(" of the requests warm it up and are left out.</p>\n<pre>")
            .Append(WebUtility.HtmlEncode(Table(s, results))).Append("</pre>\n");
        html.Append("<figure>").Append(SvgChart.Bars("p99 latency", "ms", names, [.. results.Select(r => r.Latency.Percentile(0.99) * 1000)])).Append("</figure>\n");
        html.Append("<figure>").Append(SvgChart.Bars("p99.9 latency", "ms", names, [.. results.Select(r => r.Latency.Percentile(0.999) * 1000)])).Append("</figure>\n");
        html.Append("<figure>").Append(SvgChart.Bars("Imbalance: busiest backend's requests over the mean, per unit of speed", "x", names, [.. results.Select(r => r.Imbalance(s))])).Append("</figure>\n");
        var depths = results.Select(r => (r.Algorithm, (IReadOnlyList<(double, double)>)[.. Enumerable.Range(1, 16).Select(i => ((double)i, r.AtLeast[i] * 100))])).ToList();
        html.Append("<figure>").Append(SvgChart.Lines("Share of backends holding at least N requests (time average)", "%", depths, 0, "req")).Append("</figure>\n");
        html.Append("<p>Raw figures: <a href=\"summary.csv\">summary.csv</a>.</p>\n</body></html>\n");
        var index = Path.Combine(directory, "index.html");
        File.WriteAllText(index, html.ToString());
        return index;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
