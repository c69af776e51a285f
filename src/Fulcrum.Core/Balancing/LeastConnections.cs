using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// `least-connections`: the eligible backend with the fewest active leases (requests for L7,
/// connections for L4; <see cref="BackendStats.Active"/>). Weights are ignored except that weight 0
/// takes no new work; use `weighted-least-connections` when backends differ in capacity.
/// Ties go to the first tied backend counted from a start index that rotates on every pick, so equal
/// backends share work round-robin instead of the first one in the list taking every tie.
/// Lock-free: counters are read without locking; two concurrent picks may both see the same minimum,
/// which the next picks correct, as in HAProxy's and nginx's least-connection balancing.
/// </summary>
internal sealed class LeastConnections : IBalancer
{
    private readonly Backend[] _backends;
    private int _start = -1;

    private LeastConnections(Backend[] backends) => _backends = backends;

    public Backend? Pick(in PickContext context)
    {
        var n = _backends.Length;
        if (n == 0) return null;
        var start = (int)((uint)Interlocked.Increment(ref _start) % (uint)n);
        Backend? best = null;
        long bestActive = long.MaxValue;
        for (var k = 0; k < n; k++)
        {
            var i = start + k;
            if (i >= n) i -= n;
            var b = _backends[i];
            if (!Eligibility.CanTakeWork(b)) continue;
            var active = b.Stats.Active;
            if (active < bestActive)
            {
                best = b;
                bestActive = active;
            }
        }

        return best;
    }

    internal sealed class Factory : IBalancerFactory
    {
        public string Name => BalancerNames.LeastConnections;
        public bool UsesHash => false;
        public IBalancer Create(Backend[] backends, BalancerServices services) => new LeastConnections(backends);
    }
}
