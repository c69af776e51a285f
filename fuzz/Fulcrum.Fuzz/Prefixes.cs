namespace Fulcrum.Fuzz;

/// <summary>
/// Where a streaming parser's input is cut to check that a prefix never gets a different answer than the whole. All
/// prefixes of short inputs; for longer ones the first 64 and about 32 more spread evenly, so one run stays linear-ish
/// and AFL++'s executions per second stay high.
/// </summary>
internal static class Prefixes
{
    public static IEnumerable<int> Cuts(int length)
    {
        var dense = Math.Min(length, 64);
        for (var cut = 0; cut < dense; cut++) yield return cut;
        if (length <= 64) yield break;
        var step = Math.Max(1, (length - 64) / 32);
        for (var cut = 64; cut < length; cut += step) yield return cut;
    }
}
