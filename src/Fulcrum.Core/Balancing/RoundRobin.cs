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
        for (var tries = 0; tries < n; tries++)
        {
            var i = (int)((uint)Interlocked.Increment(ref _next) % (uint)n);
            var b = _backends[i];
            if (Eligibility.CanTakeWork(b)) return b;
        }

        return null;
    }

    internal sealed class Factory : IBalancerFactory
    {
        public string Name => "round-robin";
        public bool UsesHash => false;
        public IBalancer Create(Backend[] backends, BalancerServices services) => new RoundRobin(backends);
    }
}
