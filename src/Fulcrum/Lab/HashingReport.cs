using System.Globalization;
using System.Net;
using System.Text;
using Fulcrum.Core.Balancing;

namespace Fulcrum.Lab;

/// <summary>Writes the `hashing` report: index.html (inline SVG, no script) and keys.csv, summary.csv beside it.</summary>
public static class HashingReport
{
    public const string SeedFile = "002_dd9afe98e055f88a.txt";
    public const string SeedClaim = "Like IP hash, but adding/removing servers doesn't reshuffle everything. [...] Add Server E between C and D: Only clients between C and E move to E. Everyone else unchanged";

    public static string Write(string directory, HashingResult result)
    {
        Directory.CreateDirectory(directory);
        var keys = new StringBuilder("algorithm,key,four_backends,b5_joined,b2_left\n");
        foreach (var run in result.Runs)
        {
            for (var i = 0; i < result.Keys.Length; i++) keys.Append(CultureInfo.InvariantCulture, $"{run.Algorithm},{result.Keys[i]},{run.Before[i]},{run.Joined[i]},{run.Left[i]}\n");
        }

        File.WriteAllText(Path.Combine(directory, "keys.csv"), keys.ToString());
        var summary = new StringBuilder("algorithm,keys,moved_on_join,moved_to_new,moved_on_leave,on_leaver,errors\n");
        foreach (var run in result.Runs)
        {
            summary.Append(CultureInfo.InvariantCulture, $"{run.Algorithm},{result.Keys.Length},{run.MovedOnJoin},{run.MovedToNew},{run.MovedOnLeave},{run.OnLeaver},{run.Errors}\n");
        }

        File.WriteAllText(Path.Combine(directory, "summary.csv"), summary.ToString());
        var index = Path.Combine(directory, "index.html");
        File.WriteAllText(index, Html(result));
        return index;
    }

    /// <summary>Whether the ring and Maglev moved close to the minimum while modulo hashing moved most keys.</summary>
    public static string Verdict(HashingResult result)
    {
        double Share(int n) => (double)n / result.Keys.Length;
        var modulo = result.Runs.First(r => r.Algorithm == BalancerNames.IpHash);
        var ring = result.Runs.First(r => r.Algorithm == BalancerNames.ConsistentHash);
        var maglev = result.Runs.First(r => r.Algorithm == BalancerNames.Maglev);
        var figures = Invariant($"on a join, consistent-hash moved {Share(ring.MovedOnJoin):P1} of the keys and maglev {Share(maglev.MovedOnJoin):P1} (a fifth backend's fair share is 20%), ip-hash {Share(modulo.MovedOnJoin):P1}");
        return Share(ring.MovedOnJoin) < 0.3 && Share(maglev.MovedOnJoin) < 0.3 && Share(modulo.MovedOnJoin) > 0.5
            ? $"The measurement agrees with the claim: {figures}."
            : $"The measurement does NOT show the claim: {figures}.";
    }

    private static string Html(HashingResult result)
    {
        var n = result.Keys.Length;
        var html = new StringBuilder("""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Fulcrum lab: hashing</title>
            <style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
            table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}
            th:first-child,td:first-child{text-align:left}blockquote{border-left:4px solid #ccc;margin:0;padding:.2em 1em;color:#444}
            .verdict{font-weight:bold;font-size:1.1em}figure{margin:1em 0}</style></head><body>
            <h1>Fulcrum lab: hashing</h1>

            """);
        html.Append(Invariant($"<p>Run {result.Started:yyyy-MM-dd HH:mm} UTC, {result.Took.TotalSeconds:0} s in all{(result.Short ? " (short mode)" : "")}.</p>\n"));
        html.Append("<p class=\"verdict\">").Append(WebUtility.HtmlEncode(Verdict(result))).Append("</p>\n");
        html.Append(Invariant($"""
            <h2>Setup</h2>
            <p>Five backends (Kestrel servers on 127.0.0.1, each naming itself in <code>X-Backend</code>) and one Fulcrum balancer
            whose pool hashes the <code>X-User</code> header (<code>hash-key: header:X-User</code>). For each algorithm a fresh balancer
            starts with backends b1 to b4; {n} requests, one per user id (<code>user-0</code> to <code>user-{n - 1}</code>), record
            which backend serves each. Then the config file gains b5 and is reloaded, as an operator would do it, and the same
            requests are sent again; then b2 and b5 are taken out (three backends) and they are sent once more.</p>
            <h2>What the seeds claim</h2>
            <blockquote>{WebUtility.HtmlEncode(SeedClaim)}</blockquote><p>seeds/{SeedFile}</p>
            <h2>What was measured</h2>
            <table><tr><th>algorithm</th><th>moved when b5 joined</th><th>of which to b5</th><th>moved when b2 left</th><th>keys b2 had (must move)</th><th>errors</th></tr>

            """));
        foreach (var run in result.Runs)
        {
            html.Append(Invariant($"<tr><td>{run.Algorithm}</td><td>{run.MovedOnJoin} ({(double)run.MovedOnJoin / n:P1})</td><td>{run.MovedToNew}</td><td>{run.MovedOnLeave} ({(double)run.MovedOnLeave / n:P1})</td><td>{run.OnLeaver} ({(double)run.OnLeaver / n:P1})</td><td>{run.Errors}</td></tr>\n"));
        }

        html.Append("</table>\n<p>The least any algorithm can move: on the join, the fifth backend's fair share, 20%; on the leave, the keys the leaving backend had, about 25%.</p>\n");
        var labels = result.Runs.Select(r => r.Algorithm).Append("minimum").ToList();
        html.Append("<figure>").Append(SvgChart.Bars("Keys moved when a fifth backend joins", "%", labels, [.. result.Runs.Select(r => 100.0 * r.MovedOnJoin / n), 20])).Append("</figure>\n");
        html.Append("<figure>").Append(SvgChart.Bars("Keys moved when one of four backends leaves", "%", labels,
            [.. result.Runs.Select(r => 100.0 * r.MovedOnLeave / n), 100.0 * result.Runs.Average(r => r.OnLeaver) / n])).Append("</figure>\n");
        html.Append("""
            <h2>How to read it</h2>
            <p><code>ip-hash</code> takes the key's hash modulo the backends' total weight, so when the total changes almost every key
            lands elsewhere: sessions, caches and connections tied to keys are lost wholesale. The ring (<code>consistent-hash</code>)
            moves only the keys on the arc the new backend takes, all of them to it, and on a leave only the leaver's keys. Maglev
            builds a lookup table; it moves a little more than the minimum (a few keys between old backends), in exchange for an
            even spread and constant-time lookups.</p>
            <p>Raw data: <a href="summary.csv">summary.csv</a>, <a href="keys.csv">keys.csv</a> (each key's backend in each phase).</p>
            </body></html>

            """);
        return html.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
