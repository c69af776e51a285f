using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// `least-bandwidth`: the eligible backend with the lowest recent traffic per unit of weight,
/// <c>BytesPerSecondAt(now) / effective weight</c>, where the rate is a decaying average of bytes per
/// second in both directions (time constant 2 s, <see cref="BackendStats.BytesPerSecondAt"/>). Long L4
/// connections report bytes while they run, so a busy stream counts before it ends. Ties (e.g. all idle)
/// go to the fewest active, then to the first from a rotating start index. Like Citrix ADC's
/// LEASTBANDWIDTH; useful when work differs in size (downloads, video, database streams).
/// </summary>
internal sealed class LeastBandwidth : IBalancer
{
    private readonly Backend[] _backends;
    private readonly TimeProvider _time;
    private int _start = -1;

    private LeastBandwidth(Backend[] backends, TimeProvider time)
    {
        _backends = backends;
        _time = time;
    }

    public Backend? Pick(in PickContext context)
    {
        var n = _backends.Length;
        if (n == 0) return null;
        var start = (int)((uint)Interlocked.Increment(ref _start) % (uint)n);
        var now = _time.GetTimestamp();
        Backend? best = null;
        var bestRate = double.MaxValue;
        long bestActive = long.MaxValue;
        for (var k = 0; k < n; k++)
        {
            var i = start + k;
            if (i >= n) i -= n;
            var b = _backends[i];
            if (!b.IsUsable) continue;
            var weight = b.EffectiveWeight;
            if (weight <= 0) continue;
            var stats = b.Stats;
            // An idle backend's rate is 0: skip decaying it (an exp per backend is most of a pick's cost).
            var rate = stats.BytesPerSecond == 0 ? 0 : stats.BytesPerSecondAt(now, _time) / weight;
            var active = stats.Active;
            // best is null: the first eligible backend always wins a place, so a pick never comes back empty
            // while one can take work, even if a rate read during concurrent updates is not comparable.
            if (best is null || rate < bestRate || (rate == bestRate && active < bestActive))
            {
                best = b;
                bestRate = rate;
                bestActive = active;
            }
        }

        return best;
    }

    internal sealed class Factory : IBalancerFactory
    {
        public string Name => "least-bandwidth";
        public bool UsesHash => false;
        public IBalancer Create(Backend[] backends, BalancerServices services) => new LeastBandwidth(backends, services.Time);
    }
}
