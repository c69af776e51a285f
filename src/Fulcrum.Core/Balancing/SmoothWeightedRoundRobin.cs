using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// `weighted-round-robin`: nginx's smooth weighted round robin (ngx_http_upstream_get_peer, 2012).
/// On each pick every eligible backend's current weight grows by its effective weight, the largest
/// current weight wins (first in set order on a tie), and the winner's current weight drops by the
/// sum of the effective weights. Weights 5,1,1 give a a b a c a a: proportional and interleaved, never
/// five a in a row. Over any whole cycle of sum(weights) picks each backend gets exactly its weight.
/// </summary>
/// <remarks>
/// Thread safety: one pick reads and writes every current weight and must see them all consistent
/// (the sum over eligible backends stays zero). A lock-free version would need a compare-and-swap
/// over the whole vector; a small lock around an O(n) loop of plain arithmetic is uncontended in the
/// common case, costs tens of nanoseconds, and keeps the sequence exact under concurrency.
/// Weights are read live on every pick, so slow start and runtime weight changes apply at once.
/// A backend that is not eligible is skipped and its current weight reset to zero, so when it comes
/// back it starts like a new backend instead of replaying a burst it saved while away.
/// </remarks>
internal sealed class SmoothWeightedRoundRobin : IBalancer
{
    private readonly Backend[] _backends;
    private readonly long[] _current;
    private readonly Lock _lock = new();

    private SmoothWeightedRoundRobin(Backend[] backends)
    {
        _backends = backends;
        _current = new long[backends.Length];
    }

    public Backend? Pick(in PickContext context)
    {
        lock (_lock)
        {
            var best = -1;
            long total = 0;
            for (var i = 0; i < _backends.Length; i++)
            {
                var b = _backends[i];
                if (!b.IsUsable)
                {
                    _current[i] = 0;
                    continue;
                }

                var w = b.EffectiveWeight;
                if (w <= 0)
                {
                    _current[i] = 0;
                    continue;
                }

                _current[i] += w;
                total += w;
                if (best < 0 || _current[i] > _current[best]) best = i;
            }

            if (best < 0) return null;
            _current[best] -= total;
            return _backends[best];
        }
    }

    internal sealed class Factory : IBalancerFactory
    {
        public string Name => BalancerNames.WeightedRoundRobin;
        public bool UsesHash => false;
        public IBalancer Create(Backend[] backends, BalancerServices services) => new SmoothWeightedRoundRobin(backends);
    }
}
