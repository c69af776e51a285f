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
    // Random draws before falling back to a scan: with half the set ineligible, 8 misses in a row
    // happen once in 256 picks, and the scan is still correct then.
    private const int Draws = 8;

    private readonly Backend[] _backends;
    private readonly Random _random;

    private PowerOfTwoChoices(Backend[] backends, Random random)
    {
        _backends = backends;
        _random = random;
    }

    public Backend? Pick(in PickContext context)
    {
        var n = _backends.Length;
        if (n == 0) return null;
        var first = Draw(-1);
        if (first < 0) return null;
        var second = Draw(first);
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

    /// <summary>An eligible index other than <paramref name="exclude"/>, or -1 when there is none.</summary>
    private int Draw(int exclude)
    {
        var n = _backends.Length;
        for (var t = 0; t < Draws; t++)
        {
            var i = _random.Next(n);
            if (i != exclude && Eligibility.CanTakeWork(_backends[i])) return i;
        }

        var start = _random.Next(n);
        for (var k = 0; k < n; k++)
        {
            var i = start + k;
            if (i >= n) i -= n;
            if (i != exclude && Eligibility.CanTakeWork(_backends[i])) return i;
        }

        return -1;
    }

    internal sealed class Factory : IBalancerFactory
    {
        public string Name => BalancerNames.PowerOfTwo;
        public bool UsesHash => false;
        public IBalancer Create(Backend[] backends, BalancerServices services) => new PowerOfTwoChoices(backends, services.Random);
    }
}
