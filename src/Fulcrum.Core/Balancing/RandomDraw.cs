using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// Uniform random draws of eligible backends, for the balancers that compare two random choices
/// (<see cref="PowerOfTwoChoices"/>, <see cref="PeakEwma"/>).
/// </summary>
internal static class RandomDraw
{
    // Random draws before falling back to a scan: with half the set ineligible, 8 misses in a row
    // happen once in 256 picks, and the scan is still correct then.
    private const int Draws = 8;

    /// <summary>An eligible index other than <paramref name="exclude"/>, or -1 when there is none.</summary>
    public static int Eligible(Backend[] backends, Random random, int exclude)
    {
        var n = backends.Length;
        if (n == 0) return -1;
        for (var t = 0; t < Draws; t++)
        {
            var i = random.Next(n);
            if (i != exclude && Eligibility.CanTakeWork(backends[i])) return i;
        }

        var start = random.Next(n);
        for (var k = 0; k < n; k++)
        {
            var i = start + k;
            if (i >= n) i -= n;
            if (i != exclude && Eligibility.CanTakeWork(backends[i])) return i;
        }

        return -1;
    }
}
