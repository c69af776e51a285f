using Fulcrum.Core.Hashing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// `ip-hash`: the hash of the pool's hash-key (by default the client address) taken modulo the sum of
/// the effective weights of the whole set, then walked over the backends in their fixed set order, as
/// nginx's ip_hash does; a backend of weight 3 owns three slots. The sum covers every backend in the
/// set, usable or not, so when one goes down only its own keys move: a key that lands on an ineligible
/// backend is rehashed (up to 20 times, nginx's limit) and, failing that, given to the first eligible
/// backend after it in set order. Both steps depend only on the key, so the move is deterministic.
/// Any change of weights or of the set reshuffles most keys (it is a modulo); prefer consistent-hash or
/// maglev when that matters. Without a hash in the pick context this behaves as round-robin.
/// </summary>
internal sealed class IpHash : IBalancer
{
    private const int Rehashes = 20;

    private readonly Backend[] _backends;
    private readonly RoundRobin _noHash;

    private IpHash(Backend[] backends)
    {
        _backends = backends;
        _noHash = new RoundRobin(backends);
    }

    public Backend? Pick(in PickContext context)
    {
        if (!context.HasHash) return _noHash.Pick(context);
        long total = 0;
        foreach (var b in _backends)
        {
            var w = b.EffectiveWeight;
            if (w > 0) total += w;
        }

        if (total <= 0) return null;
        var hash = context.Hash;
        var index = 0;
        for (var t = 0; t <= Rehashes; t++)
        {
            index = Slot(hash, total);
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

    /// <summary>The backend owning weighted slot hash mod total; ends on the last weighted one if weights shrank meanwhile.</summary>
    private int Slot(ulong hash, long total)
    {
        var point = (long)(hash % (ulong)total);
        var last = 0;
        for (var i = 0; i < _backends.Length; i++)
        {
            var w = _backends[i].EffectiveWeight;
            if (w <= 0) continue;
            if (point < w) return i;
            point -= w;
            last = i;
        }

        return last;
    }

    internal sealed class Factory : IBalancerFactory
    {
        public string Name => BalancerNames.IpHash;
        public bool UsesHash => true;
        public IBalancer Create(Backend[] backends, BalancerServices services) => new IpHash(backends);
    }
}
