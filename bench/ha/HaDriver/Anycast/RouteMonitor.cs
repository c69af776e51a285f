using System.Diagnostics;
using System.Globalization;
using Fulcrum.Bench.Ha.Lab;

namespace Fulcrum.Bench.Ha.Anycast;

/// <summary>
/// The router's kernel routes as they change: `ip -ts monitor route` in its namespace, running for the whole lab, so a
/// withdrawal is timed by the stamp ip puts on the kernel's own notification. Polling `ip route show` instead timed the
/// poll: each one a process started from the lab, which on a busy machine took a few hundred milliseconds and counted
/// into the withdrawal (BIRD had changed the route within a millisecond of the node's withdrawal).
/// </summary>
public sealed class RouteMonitor : IDisposable
{
    private readonly LabProcess _ip;

    public RouteMonitor(string networkNamespace, string directory, Stopwatch clock)
    {
        // ip stamps each message in local time: UTC here, to compare with DateTime.UtcNow.
        _ip = LabProcess.Start("router routes", Path.Combine(directory, "router-routes.log"), clock, "ip",
            ["-n", networkNamespace, "-ts", "monitor", "route"], new Dictionary<string, string> { ["TZ"] = "UTC" });
    }

    public LabProcess Process => _ip;

    /// <summary>
    /// When the kernel route to <paramref name="destination"/> first stopped leading via <paramref name="nextHop"/> at or
    /// after <paramref name="since"/> (UTC): replaced by one without it, or deleted; null while it has not.
    /// </summary>
    public DateTime? LeftAt(string destination, string nextHop, DateTime since)
    {
        foreach (var (at, text) in Messages())
        {
            if (at < since) continue;
            var deleted = text.StartsWith("Deleted ", StringComparison.Ordinal);
            var route = deleted ? text["Deleted ".Length..] : text;
            if (!route.StartsWith(destination + " ", StringComparison.Ordinal)) continue;
            if (deleted || !route.Contains($"via {nextHop} ", StringComparison.Ordinal)) return at;
        }

        return null;
    }

    public void Dispose() => _ip.Dispose();

    // A message starts with ip's stamp, `[2026-12-07T03:59:54.971389] `; a multipath route goes on in lines that start
    // with a tab, one per next hop.
    private IEnumerable<(DateTime At, string Text)> Messages()
    {
        DateTime? at = null;
        var text = "";
        foreach (var (_, line) in _ip.Lines)
        {
            if (line.StartsWith('[') && line.IndexOf("] ", StringComparison.Ordinal) is var end and > 0
                && DateTime.TryParse(line[1..end], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var stamp))
            {
                if (at is { } previous) yield return (previous, text);
                at = stamp;
                text = line[(end + 2)..];
            }
            else if (at is not null)
            {
                text += " " + line.Trim();
            }
        }

        // The last message may still be missing its next-hop lines: a first line without a next hop waits for them.
        if (at is { } last && (text.StartsWith("Deleted ", StringComparison.Ordinal) || text.Contains(" via ", StringComparison.Ordinal))) yield return (last, text);
    }
}
