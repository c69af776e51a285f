namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>
/// Domain names as dns listeners keep them: lower case (RFC 4343: names compare without case), no final dot, labels
/// of 1 to 63 letters, digits, '-' or '_', 253 characters at most (RFC 1035 2.3.4).
/// </summary>
internal static class DnsNames
{
    public static string? Normalize(string text)
    {
        var name = text.Trim().TrimEnd('.').ToLowerInvariant();
        if (name.Length is 0 or > 253) return null;
        foreach (var label in name.Split('.'))
        {
            if (label.Length is 0 or > 63 || label.StartsWith('-') || label.EndsWith('-')) return null;
            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_') return null;
            }
        }

        return name;
    }

    /// <summary>True when <paramref name="name"/> is <paramref name="zone"/> or below it.</summary>
    public static bool IsInZone(string name, string zone) =>
        name == zone || name.EndsWith("." + zone, StringComparison.Ordinal);

    /// <summary>The longest domain every name is strictly below, or null when they share none (only the root).</summary>
    public static string? CommonParent(IEnumerable<string> names)
    {
        string[]? common = null;
        foreach (var name in names)
        {
            var parent = name.Split('.')[1..];
            if (common is null)
            {
                common = parent;
                continue;
            }

            var shared = 0;
            while (shared < common.Length && shared < parent.Length
                   && common[^(shared + 1)] == parent[^(shared + 1)]) shared++;
            common = common[^shared..];
        }

        return common is null || common.Length == 0 ? null : string.Join('.', common);
    }
}
