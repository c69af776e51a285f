namespace Fulcrum.Core.Observability;

/// <summary>
/// A fixed-bucket latency histogram, lock-free: recording is one bucket search over 16 bounds and two
/// Interlocked adds, no allocation. Buckets run from 100 us to 10 s in 1-2.5-5 steps (the shape of
/// Prometheus' default buckets, extended down for a proxy's sub-millisecond hops). Counts are per bucket,
/// not cumulative; the exporter sums them into Prometheus' cumulative `le` form.
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Upper bounds in seconds; a last, implicit bucket holds everything above 10 s.</summary>
    public static readonly double[] BoundsSeconds =
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly long[] BoundsTicks = ToTicks(BoundsSeconds);
    private readonly long[] _counts = new long[BoundsSeconds.Length + 1];
    private long _sumTicks;

    public void Record(TimeSpan latency)
    {
        var ticks = latency.Ticks;
        var i = 0;
        while (i < BoundsTicks.Length && ticks > BoundsTicks[i]) i++;
        Interlocked.Increment(ref _counts[i]);
        Interlocked.Add(ref _sumTicks, Math.Max(0, ticks));
    }

    /// <summary>Samples in bucket <paramref name="index"/> alone (0..16; 16 is above 10 s).</summary>
    public long Count(int index) => Volatile.Read(ref _counts[index]);

    public int BucketCount => _counts.Length;

    public double SumSeconds => TimeSpan.FromTicks(Volatile.Read(ref _sumTicks)).TotalSeconds;

    /// <summary>Copies the per-bucket counts into <paramref name="into"/> (length <see cref="BucketCount"/>).</summary>
    public void CopyTo(Span<long> into)
    {
        for (var i = 0; i < _counts.Length; i++) into[i] = Volatile.Read(ref _counts[i]);
    }

    /// <summary>
    /// The <paramref name="q"/> quantile (0..1) of per-bucket counts, interpolated linearly inside the bucket
    /// as Prometheus' histogram_quantile does; NaN without samples.
    /// </summary>
    public static double Quantile(ReadOnlySpan<long> counts, double q)
    {
        long total = 0;
        foreach (var c in counts) total += c;
        if (total <= 0) return double.NaN;
        var rank = q * total;
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (seen + counts[i] >= rank && counts[i] > 0)
            {
                if (i == BoundsSeconds.Length) return BoundsSeconds[^1];
                var lower = i == 0 ? 0 : BoundsSeconds[i - 1];
                var upper = BoundsSeconds[i];
                return lower + (upper - lower) * ((rank - seen) / counts[i]);
            }

            seen += counts[i];
        }

        return BoundsSeconds[^1];
    }

    private static long[] ToTicks(double[] seconds)
    {
        var ticks = new long[seconds.Length];
        for (var i = 0; i < seconds.Length; i++) ticks[i] = (long)Math.Round(seconds[i] * TimeSpan.TicksPerSecond);
        return ticks;
    }
}
