namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>
/// Finds the known name nearest to a misspelt one, by optimal string alignment distance (Levenshtein 1966 with
/// Damerau's adjacent transposition), compared case-insensitively with '_' read as '-', so `algoritm`,
/// `hash_key` and `Weigth` all find their key.
/// </summary>
internal static class NameSuggester
{
    public static string? Nearest(string typed, IEnumerable<string> known)
    {
        var wanted = Normalize(typed);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var d = Distance(wanted, Normalize(candidate));
            if (d < bestDistance)
            {
                best = candidate;
                bestDistance = d;
            }
        }

        // Close enough to be a typo: a couple of edits, or a quarter of a long name.
        return best is not null && bestDistance <= Math.Max(2, best.Length / 4) && bestDistance < best.Length ? best : null;
    }

    /// <summary>"; did you mean 'x'?" or "".</summary>
    public static string DidYouMean(string typed, IEnumerable<string> known) =>
        Nearest(typed, known) is { } s ? $"; did you mean '{s}'?" : "";

    private static string Normalize(string s) => s.ToLowerInvariant().Replace('_', '-');

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }

        return d[a.Length, b.Length];
    }
}
