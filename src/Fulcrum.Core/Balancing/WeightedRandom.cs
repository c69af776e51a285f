using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// `random`: an eligible backend chosen at random with probability effective weight / sum of the
/// eligible effective weights. Two passes over the set (sum, then walk to the drawn point), no state
/// shared between picks, so it needs no lock; randomness comes from <see cref="BalancerServices.Random"/>.
/// Weights are read live; if one changes between the passes the walk ends on the last eligible backend.
/// </summary>
internal sealed class WeightedRandom : IBalancer
{
    private readonly Backend[] _backends;
    private readonly Random _random;

    private WeightedRandom(Backend[] backends, Random random)
    {
        _backends = backends;
        _random = random;
    }

    public Backend? Pick(in PickContext context)
    {
        long total = 0;
        foreach (var b in _backends)
        {
            if (Eligibility.CanTakeWork(b)) total += b.EffectiveWeight;
        }

        if (total <= 0) return null;
        var point = _random.NextInt64(total);
        Backend? last = null;
        foreach (var b in _backends)
        {
            if (!b.IsUsable) continue;
            var w = b.EffectiveWeight;
            if (w <= 0) continue;
            if (point < w) return b;
            point -= w;
            last = b;
        }

        return last;
    }

    internal sealed class Factory : IBalancerFactory
    {
        public string Name => BalancerNames.Random;
        public bool UsesHash => false;
        public IBalancer Create(Backend[] backends, BalancerServices services) => new WeightedRandom(backends, services.Random);
    }
}
