using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// Each eligible backend in turn, ignoring weights (apart from weight 0, which takes no new work).
/// Lock-free: one shared counter, advanced with Interlocked; ineligible backends are stepped over.
/// Hash balancers embed one as their fallback when a pick has no hash.
/// </summary>
internal sealed class RoundRobin : IBalancer
{
    private readonly Backend[] _backends;
    private int _next = -1;

    internal RoundRobin(Backend[] backends) => _backends = backends;

    public Backend? Pick(in PickContext context)
    {
        var n = _backends.Length;
        var i = 0;
        for (var tries = 0; tries < n; tries++)
        {
            // Stepping the shared counter past an ineligible backend gives its turn to the next pick's
            // backend, so the others keep equal shares (scanning on from one start would hand every
            // skipped turn to the backend after it).
            i = (int)((uint)Interlocked.Increment(ref _next) % (uint)n);
            var b = _backends[i];
            if (Eligibility.CanTakeWork(b)) return b;
        }

        // Concurrent picks advance the same counter, so n steps of this pick need not have visited
        // every backend; one plain pass makes sure an eligible backend is never missed.
        for (var k = 1; k <= n; k++)
        {
            var j = i + k;
            if (j >= n) j -= n;
            if (Eligibility.CanTakeWork(_backends[j])) return _backends[j];
        }

        return null;
    }

    internal sealed class Factory : IBalancerFactory
    {
        public string Name => BalancerNames.RoundRobin;
        public bool UsesHash => false;
        public IBalancer Create(Backend[] backends, BalancerServices services) => new RoundRobin(backends);
    }
}
