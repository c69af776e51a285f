namespace Fulcrum.Bench.Soak;

/// <summary>
/// How one resource moved over the soak: the median of a window early in the run after warm-up against the median of
/// the last window of the load. Medians, so one second of a burst of connections or a GC about to run does not decide.
/// </summary>
public sealed record Growth(string Resource, string Unit, double Baseline, double End, double? Bound)
{
    /// <summary>From baseline to end, in percent.</summary>
    public double Percent => Baseline > 0 ? (End - Baseline) / Baseline * 100 : 0;

    /// <summary>Checked (it has a bound) and over it.</summary>
    public bool Exceeded => Bound is { } bound && Percent >= bound;

    /// <summary>
    /// The windows: in a run of at least <see cref="SoakOptions.LongRun"/>, minute 5 (300-330 s) against the last 30 s
    /// of load. In a shorter one, the first third is warm-up and the rest is split in halves.
    /// </summary>
    public static (Func<Sample, bool> Baseline, Func<Sample, bool> End, string Label) Windows(TimeSpan duration, double lastLoadSecond)
    {
        if (duration >= SoakOptions.LongRun)
        {
            return (s => s.Seconds is >= 300 and < 330, s => s.Seconds > lastLoadSecond - 30, "minute 5 (300-330 s) against the last 30 s");
        }

        var warm = duration.TotalSeconds / 3;
        var middle = (warm + duration.TotalSeconds) / 2;
        return (s => s.Seconds >= warm && s.Seconds < middle, s => s.Seconds >= middle,
            $"after {warm:F0} s of warm-up, {warm:F0}-{middle:F0} s against {middle:F0}-{duration.TotalSeconds:F0} s");
    }

    public static Growth Of(string resource, string unit, IReadOnlyList<Sample> load, Func<Sample, bool> baseline, Func<Sample, bool> end,
        Func<Sample, double> value, double? bound) =>
        new(resource, unit, Median(load.Where(baseline).Select(value)), Median(load.Where(end).Select(value)), bound);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => v >= 0).Order().ToArray();
        if (sorted.Length == 0) return 0;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
