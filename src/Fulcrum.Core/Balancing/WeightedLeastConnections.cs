using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// `weighted-least-connections`: the eligible backend with the lowest active / effective weight.
/// Ratios are compared by cross-multiplication (a1 * w2 &lt; a2 * w1), exact in integers, as nginx's
/// least_conn does. A backend of weight 3 therefore carries three times the active work of one of
/// weight 1. Ties rotate exactly like `least-connections`. Weights are read live on every pick.
/// </summary>
internal sealed class WeightedLeastConnections : IBalancer
{
    private readonly Backend[] _backends;
    private int _start = -1;

    private WeightedLeastConnections(Backend[] backends) => _backends = backends;

    public Backend? Pick(in PickContext context)
    {
        var n = _backends.Length;
        if (n == 0) return null;
        var start = (int)((uint)Interlocked.Increment(ref _start) % (uint)n);
        Backend? best = null;
        long bestActive = 0;
        long bestWeight = 1;
        for (var k = 0; k < n; k++)
        {
            var i = start + k;
            if (i >= n) i -= n;
            var b = _backends[i];
            if (!b.IsUsable) continue;
            long weight = b.EffectiveWeight;
            if (weight <= 0) continue;
            var active = b.Stats.Active;
            if (best is null || active * bestWeight < bestActive * weight)
            {
                best = b;
                bestActive = active;
                bestWeight = weight;
            }
        }

        return best;
    }

    internal sealed class Factory : IBalancerFactory
    {
        public string Name => BalancerNames.WeightedLeastConnections;
        public bool UsesHash => false;
        public IBalancer Create(Backend[] backends, BalancerServices services) => new WeightedLeastConnections(backends);
    }
}
