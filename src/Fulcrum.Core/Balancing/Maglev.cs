using Fulcrum.Core.Hashing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// `maglev`: Google's Maglev consistent hashing (Eisenbud et al., NSDI 2016; <see cref="MaglevTable"/>),
/// weighted, built over every backend in the set. A lookup is one array read, whatever the set size.
/// When the key's backend cannot take work, the key is rehashed with a second hash and looked up
/// again (up to 16 times), then given to the first eligible backend after it in set order; every step
/// depends only on the key, so only the keys of the missing backend move, deterministically.
/// A change of the set in the config builds a new table: the paper shows that moves only slightly
/// more keys than the minimum. When effective weights change (checked at most once a second) the
/// table is rebuilt on the thread pool while picks go on with the old one.
/// Without a hash in the pick context this behaves as round-robin.
/// </summary>
internal sealed class Maglev : IBalancer, IThreadPoolWorkItem
{
    private const int Rehashes = 16;

    private readonly Backend[] _backends;
    private readonly string[] _ids;
    private readonly int _size;
    private readonly RoundRobin _noHash;
    private readonly WeightWatch _watch;
    private volatile MaglevTable _table;

    /// <param name="tableSize">A prime well above 100 x the number of backends (the paper's advice); default 65537.</param>
    internal Maglev(Backend[] backends, TimeProvider time, int tableSize = MaglevTable.DefaultSize)
    {
        _backends = backends;
        _ids = Array.ConvertAll(backends, b => b.Id);
        _size = tableSize;
        _noHash = new RoundRobin(backends);
        _watch = new WeightWatch(backends, time, WeightWatch.DefaultInterval);
        _table = MaglevTable.Build(_ids, WeightWatch.Snapshot(backends), tableSize);
    }

    public Backend? Pick(in PickContext context)
    {
        if (!context.HasHash) return _noHash.Pick(context);
        var table = _table;
        if (_watch.IsStale(table.Weights)) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

        if (table.Size == 0) return null;
        var hash = context.Hash;
        var index = 0;
        for (var t = 0; t <= Rehashes; t++)
        {
            index = table.Lookup(hash);
            var b = _backends[index];
            if (Eligibility.CanTakeWork(b)) return b;
            hash = KeyHash.Mix(hash + 0x9E3779B97F4A7C15UL);
        }

        var n = _backends.Length;
        for (var k = 1; k < n; k++)
        {
            var i = index + k;
            if (i >= n) i -= n;
            if (Eligibility.CanTakeWork(_backends[i])) return _backends[i];
        }

        return null;
    }

    /// <summary>Rebuilds for the current weights off the request path (see <see cref="WeightWatch"/>).</summary>
    void IThreadPoolWorkItem.Execute()
    {
        try
        {
            _table = MaglevTable.Build(_ids, WeightWatch.Snapshot(_backends), _size);
        }
        finally
        {
            _watch.Built();
        }
    }

    internal sealed class Factory : IBalancerFactory
    {
        public string Name => BalancerNames.Maglev;
        public bool UsesHash => true;
        public IBalancer Create(Backend[] backends, BalancerServices services) => new Maglev(backends, services.Time);
    }
}
