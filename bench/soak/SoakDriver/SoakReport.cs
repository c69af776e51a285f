using System.Globalization;
using System.Text;

namespace Fulcrum.Bench.Soak;

/// <summary>The summary table a soak prints and writes to summary.txt.</summary>
public static class SoakReport
{
    public static string Format(SoakResult r)
    {
        var t = r.Tally;
        var load = r.Samples.Where(s => s.Phase == "load").Select(s => s.Load1).Where(l => l >= 0).ToArray();
        var text = new StringBuilder();
        text.AppendLine(Invariant($"chaos soak: {r.Options.Duration.TotalMinutes:F1} min of load at rate {r.Options.Rate}; load average (1 min) mean {Mean(load):F1}, max {(load.Length > 0 ? load.Max() : 0):F1} on {Environment.ProcessorCount} CPUs"));
        text.AppendLine();
        text.AppendLine("| channel | ok | failed, idempotent | failed, not idempotent | of those, no kill explains |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var c in Enum.GetValues<Channel>())
        {
            text.AppendLine(Invariant($"| {Name(c)} | {t.Ok(c)} | {t.FailedIdempotent(c)} | {t.FailedOther(c)} | {t.FailedOtherOutsideChaos(c)} |"));
        }

        text.AppendLine(Invariant($"| all | {t.AllOk} | {t.AllFailedIdempotent} | {t.AllFailedOther} | {Enum.GetValues<Channel>().Sum(t.FailedOtherOutsideChaos)} |"));
        text.AppendLine();
        text.AppendLine(Invariant($"| resource | {Before(r)} | end | growth | bound |"));
        text.AppendLine("| --- | ---: | ---: | ---: | --- |");
        foreach (var g in r.Growths)
        {
            var bound = g.Bound is { } b ? Invariant($"under {b}%: {(g.Exceeded ? "EXCEEDED" : "ok")}") : "reported";
            text.AppendLine(Invariant($"| {g.Resource}{(g.Unit.Length > 0 ? $" ({g.Unit})" : "")} | {g.Baseline:F1} | {g.End:F1} | {g.Percent:+0.0;-0.0}% | {bound} |"));
        }

        text.AppendLine(Invariant($"(medians: {r.GrowthWindows})"));
        text.AppendLine();
        text.AppendLine(Invariant($"chaos: {r.Kills} backend kills; {r.ConfigWrites} config rewrites, {r.ReloadsApplied} reloads applied, {r.ReloadsRejected} rejected;"));
        text.AppendLine(Invariant($"       {r.Drains} drain-and-ready rounds ({r.AdminRefusals} admin calls refused); {r.Rotations} certificate rotations, {r.CertificateReloads} reloaded by fulcrum, {r.CertificatesSeen} of {r.CertificatesWritten} certificates seen by clients"));
        text.AppendLine(Invariant($"leases: {r.LeasesWhenLoadStopped} held when the load stopped; {(r.LeasesLeft.Count == 0 ? $"all released after {r.LeasesReleasedAfter.TotalSeconds:F1} s" : "NOT released: " + string.Join(", ", r.LeasesLeft.Select(l => $"{l.Key} {l.Value}")))}"));
        text.AppendLine(Invariant($"fulcrum: {r.FulcrumWarnings} warnings and {r.FulcrumErrors} errors logged; exit code after SIGTERM {(r.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none (killed)")}"));
        if (t.FirstFailures.Count > 0)
        {
            text.AppendLine("first failures:");
            foreach (var f in t.FirstFailures) text.AppendLine("  " + f);
        }

        if (r.FulcrumProblems.Count > 0)
        {
            text.AppendLine("fulcrum's first warnings and errors:");
            foreach (var p in r.FulcrumProblems) text.AppendLine("  " + p);
        }

        text.AppendLine(r.Passed ? "PASS" : "FAIL: " + string.Join("; ", r.Problems));
        return text.ToString();
    }

    private static string Before(SoakResult r) => r.Options.Duration >= SoakOptions.LongRun ? "minute 5" : "after warm-up";

    private static string Name(Channel c) => c switch
    {
        Channel.Http => "http (HTTP/1.1)",
        Channel.Https1 => "https (HTTP/1.1)",
        Channel.Https2 => "https (HTTP/2)",
        Channel.Tcp => "tcp (connections)",
        _ => "udp (datagrams)",
    };

    private static double Mean(double[] values) => values.Length > 0 ? values.Average() : 0;

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
