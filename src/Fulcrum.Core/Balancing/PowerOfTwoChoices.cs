using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// `power-of-two`: draw two distinct eligible backends uniformly at random and take the less loaded,
/// comparing <c>(active + 1) / effective weight</c> by cross-multiplication; with equal weights that is
/// simply "fewer active wins". On a tie the first draw wins. Mitzenmacher (The Power of Two Choices in
/// Randomized Load Balancing, 2001) shows two random choices cut the maximum load from
/// O(log n / log log n) to O(log log n); it needs no shared state and no scan of the set, so a pick
/// costs the same for 3 or 300 backends and concurrent balancers do not herd onto one minimum.
/// The draws are uniform (weights act only in the comparison, as in Envoy's least-request balancer).
/// </summary>
internal sealed class PowerOfTwoChoices : IBalancer
{
    private readonly Backend[] _backends;
    private readonly Random _random;

    private PowerOfTwoChoices(Backend[] backends, Random random)
    {
        _backends = backends;
        _random = random;
    }

    public Backend? Pick(in PickContext context)
    {
        var first = RandomDraw.Eligible(_backends, _random, -1);
        if (first < 0) return null;
        var second = RandomDraw.Eligible(_backends, _random, first);
        var a = _backends[first];
        if (second < 0) return a;
        var b = _backends[second];
        long wa = a.EffectiveWeight, wb = b.EffectiveWeight;
        // Both were eligible when drawn; a weight that has dropped to 0 since just loses (and never
        // turns the pick into a failure, since the other was eligible a moment ago too).
        if (wa <= 0 || wb <= 0) return wa <= 0 ? b : a;
        // (active_b + 1) / wb < (active_a + 1) / wa, by cross-multiplication.
        return (b.Stats.Active + 1) * wa < (a.Stats.Active + 1) * wb ? b : a;
    }

    internal sealed class Factory : IBalancerFactory
    {
        public string Name => BalancerNames.PowerOfTwo;
        public bool UsesHash => false;
        public IBalancer Create(Backend[] backends, BalancerServices services) => new PowerOfTwoChoices(backends, services.Random);
    }
}
