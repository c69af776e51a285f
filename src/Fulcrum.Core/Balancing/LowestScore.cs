using System.Runtime.CompilerServices;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// The scan `least-response-time` and `least-bandwidth` share: every eligible backend (usable, effective
/// weight above zero) is scored, the lowest score wins, ties go to the fewest active, then to the first
/// counted from a start index that rotates on every pick, as in `least-connections`. The first eligible
/// backend always takes a place, so a pick never comes back empty while one can take work, even when a
/// score read during concurrent updates does not compare (NaN).
/// </summary>
internal static class LowestScore
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Backend? Pick<TScore>(Backend[] backends, ref int start, in TScore score)
        where TScore : struct, IBackendScore
    {
        var n = backends.Length;
        if (n == 0) return null;
        var first = (int)((uint)Interlocked.Increment(ref start) % (uint)n);
        Backend? best = null;
        var bestScore = double.MaxValue;
        long bestActive = long.MaxValue;
        for (var k = 0; k < n; k++)
        {
            var i = first + k;
            if (i >= n) i -= n;
            var b = backends[i];
            if (!b.IsUsable) continue;
            var weight = b.EffectiveWeight;
            if (weight <= 0) continue;
            var stats = b.Stats;
            var active = stats.Active;
            var s = score.Of(stats, active, weight);
            if (best is null || s < bestScore || (s == bestScore && active < bestActive))
            {
                best = b;
                bestScore = s;
                bestActive = active;
            }
        }

        return best;
    }
}
