namespace Fulcrum.Simulation;

/// <summary>
/// Latencies in log-spaced buckets 1% wide from 1 µs to about 3 hours, so 10 million samples cost 2,000 counters
/// and any percentile is known within 1%.
/// </summary>
internal sealed class TailHistogram
{
    private const double Min = 1e-6;
    private const double Growth = 1.01;
    private static readonly double LogGrowth = Math.Log(Growth);
    private readonly long[] _counts = new long[2400];
    private double _sum;

    public long Count { get; private set; }
    public double Max { get; private set; }
    public double Mean => Count == 0 ? 0 : _sum / Count;

    public void Record(double seconds)
    {
        Count++;
        _sum += seconds;
        if (seconds > Max) Max = seconds;
        var i = seconds <= Min ? 0 : (int)(Math.Log(seconds / Min) / LogGrowth) + 1;
        _counts[Math.Min(i, _counts.Length - 1)]++;
    }

    /// <summary>The latency below which <paramref name="quantile"/> of the samples fall (the bucket's upper bound).</summary>
    public double Percentile(double quantile)
    {
        if (Count == 0) return 0;
        var rank = (long)Math.Ceiling(quantile * Count);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank) return Math.Min(Max, Min * Math.Pow(Growth, i));
        }

        return Max;
    }
}
