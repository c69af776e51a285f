using System.Globalization;
using System.Text;

namespace Fulcrum.Bench.Upgrade;

/// <summary>The summary: a line per upgrade, then the median and worst of failed requests and refused connections.</summary>
public static class UpgradeReport
{
    public static string Format(IReadOnlyList<RunResult> runs)
    {
        var text = new StringBuilder();
        text.AppendLine("run  old pid  new pid  takeover  requests ok  failed  refused  stream lines  stream outlived takeover  old exit");
        foreach (var r in runs)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{r.Run,3}  {r.OldPid,7}  {r.NewPid,7}  {r.TakeoverTime.TotalSeconds,7:F2}s  {r.Ok,11}  {r.Failed,6}  {r.Refused,7}  {r.StreamEchoed,12}  {(r.StreamOutlivedTakeover ? "yes" : "NO"),24}  {r.OldExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none",8}");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"failed requests per upgrade:     median {Median(runs.Select(r => r.Failed))}, worst {Worst(runs.Select(r => r.Failed))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"refused connections per upgrade: median {Median(runs.Select(r => r.Refused))}, worst {Worst(runs.Select(r => r.Refused))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"takeover time (new process start to 'took over'): median {MedianSeconds(runs.Select(r => r.TakeoverTime)):F2} s, worst {runs.Select(r => r.TakeoverTime).DefaultIfEmpty().Max().TotalSeconds:F2} s");
        text.AppendLine(CultureInfo.InvariantCulture, $"requests and datagrams answered: {runs.Sum(r => r.Ok)}");
        foreach (var channel in Enum.GetValues<Channel>())
        {
            var ok = runs.Sum(r => r.Channels[channel].Ok);
            var failed = runs.Sum(r => r.Channels[channel].Failed);
            var refused = runs.Sum(r => r.Channels[channel].Refused);
            text.AppendLine(CultureInfo.InvariantCulture, $"  {channel,-12} ok {ok,8}  failed {failed,4}  refused {refused,4}");
        }

        foreach (var r in runs.Where(r => !r.Passed))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"run {r.Run} FAILED:");
            foreach (var problem in r.Problems.Concat(r.FirstFailures)) text.AppendLine(CultureInfo.InvariantCulture, $"  {problem}");
        }

        text.AppendLine(runs.All(r => r.Passed) ? "PASS" : "FAIL");
        return text.ToString();
    }

    public static double Median(IEnumerable<long> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return 0;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
    }

    private static long Worst(IEnumerable<long> values) => values.DefaultIfEmpty().Max();

    private static double MedianSeconds(IEnumerable<TimeSpan> values) =>
        Median(values.Select(v => (long)v.TotalMilliseconds)) / 1000;
}
