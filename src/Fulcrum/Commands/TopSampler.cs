using Fulcrum.Admin.Json;
using Fulcrum.Core.Observability;

namespace Fulcrum.Commands;

/// <summary>
/// Turns successive /api/stats samples into rates and latency quantiles for `fulcrum top`: requests per second
/// from the last two samples, p50/p99 from the histogram buckets that filled during the last ~10 samples.
/// </summary>
internal sealed class TopSampler
{
    private const int Window = 10;
    private readonly Dictionary<string, Queue<(DateTime At, long Total, IReadOnlyList<long> Buckets)>> _backends = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTime At, long Requests)> _listeners = new(StringComparer.Ordinal);

    public (double PerSecond, double P50, double P99) Backend(string pool, BackendStatsView b, DateTime now)
    {
        var key = pool + "/" + b.Id;
        if (!_backends.TryGetValue(key, out var samples)) _backends[key] = samples = new();
        samples.Enqueue((now, b.Total, b.LatencyBuckets));
        while (samples.Count > Window + 1) samples.Dequeue();
        var first = samples.Peek();
        var previous = samples.Count >= 2 ? samples.ElementAt(samples.Count - 2) : first;
        var seconds = (now - previous.At).TotalSeconds;
        var perSecond = seconds > 0 ? Math.Max(0, (b.Total - previous.Total) / seconds) : 0;
        Span<long> delta = stackalloc long[b.LatencyBuckets.Count];
        for (var i = 0; i < delta.Length; i++) delta[i] = b.LatencyBuckets[i] - (i < first.Buckets.Count ? first.Buckets[i] : 0);
        return (perSecond, LatencyHistogram.Quantile(delta, 0.5), LatencyHistogram.Quantile(delta, 0.99));
    }

    public double Listener(ListenerStatsView l, DateTime now)
    {
        var rate = _listeners.TryGetValue(l.Name, out var previous) && now > previous.At
            ? Math.Max(0, (l.Requests - previous.Requests) / (now - previous.At).TotalSeconds)
            : 0;
        _listeners[l.Name] = (now, l.Requests);
        return rate;
    }
}
