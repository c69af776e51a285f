using Fulcrum.Core.Hashing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// `consistent-hash`: a weighted ring of virtual nodes over the whole set (<see cref="HashRing"/>,
/// Karger et al. 1997). A key goes to the owner of the first point at or after its hash. When that
/// backend cannot take work the lookup walks clockwise to the next point whose owner can, so only
/// the keys of the missing backend move, and they spread over the others. The same holds when a
/// backend is removed from the set: its points vanish and nothing else moves.
/// When effective weights change (checked at most once a second) the ring is rebuilt on the thread
/// pool while picks go on with the old one; point positions are stable, so a weight change moves
/// only the keys of the points added or removed.
/// Without a hash in the pick context this behaves as round-robin.
/// </summary>
internal sealed class ConsistentHash : IBalancer, IThreadPoolWorkItem
{
    private readonly Backend[] _backends;
    private readonly string[] _ids;
    private readonly RoundRobin _noHash;
    private readonly WeightWatch _watch;
    private volatile HashRing _ring;

    internal ConsistentHash(Backend[] backends, TimeProvider time)
    {
        _backends = backends;
        _ids = Array.ConvertAll(backends, b => b.Id);
        _noHash = new RoundRobin(backends);
        _watch = new WeightWatch(backends, time, WeightWatch.DefaultInterval);
        _ring = HashRing.Build(_ids, WeightWatch.Snapshot(backends));
    }

    public Backend? Pick(in PickContext context)
    {
        if (!context.HasHash) return _noHash.Pick(context);
        var ring = _ring;
        if (_watch.IsStale(ring.Weights)) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

        var start = ring.Find(context.Hash);
        if (start < 0) return null;
        var last = -1;
        for (var k = 0; k < ring.Count; k++)
        {
            var owner = ring.OwnerAt(start + k);
            if (owner == last) continue; // consecutive points of one backend: checked already
            var b = _backends[owner];
            if (Eligibility.CanTakeWork(b)) return b;
            last = owner;
        }

        return null;
    }

    /// <summary>Rebuilds for the current weights off the request path (see <see cref="WeightWatch"/>).</summary>
    void IThreadPoolWorkItem.Execute()
    {
        try
        {
            _ring = HashRing.Build(_ids, WeightWatch.Snapshot(_backends));
        }
        finally
        {
            _watch.Built();
        }
    }

    internal sealed class Factory : IBalancerFactory
    {
        public string Name => BalancerNames.ConsistentHash;
        public bool UsesHash => true;
        public IBalancer Create(Backend[] backends, BalancerServices services) => new ConsistentHash(backends, services.Time);
    }
}
