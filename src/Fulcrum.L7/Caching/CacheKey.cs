using Fulcrum.L7.Exchange;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Caching;

/// <summary>
/// The primary cache key, `scheme://host/path?query` (RFC 9111 section 2: the target URI; the method is GET, and a
/// HEAD is answered from a GET's response), and the secondary key: the request's values of the headers a stored
/// response's Vary names (section 4.1).
/// </summary>
internal static class CacheKey
{
    public static string Of(HttpExchange exchange)
    {
        var host = exchange.Host.Value ?? "";
        return string.Concat(exchange.Scheme, "://", HasUpper(host) ? host.ToLowerInvariant() : host, exchange.Path.ToUriComponent(), exchange.Query.Value);
    }

    private static bool HasUpper(string text)
    {
        foreach (var c in text)
        {
            if (char.IsAsciiLetterUpper(c)) return true;
        }

        return false;
    }

    /// <summary>
    /// A request header's value as a Vary comparison sees it: the field lines joined, whitespace around commas gone
    /// (section 4.1 allows normalising). Accept-Encoding becomes the sorted set of br, gzip and zstd the request
    /// accepts with q above 0, so `gzip, br` and `br;q=1, gzip, deflate` share one variant and an absent header is
    /// identity (""). Null when the request has no such header.
    /// </summary>
    public static string? VaryValue(IHeaderDictionary headers, string name)
    {
        var values = headers[name];
        if (string.Equals(name, "accept-encoding", StringComparison.OrdinalIgnoreCase)) return Codings(values.ToString());
        if (values.Count == 0) return null;
        var joined = values.Count == 1 ? values[0] ?? "" : string.Join(',', values.ToArray());
        if (!joined.Contains(' ') && !joined.Contains('\t')) return joined;
        var parts = joined.Split(',', StringSplitOptions.TrimEntries);
        return string.Join(',', parts);
    }

    private static readonly string[] Known = ["br", "gzip", "zstd"];

    // RFC 9110 section 12.5.3: a coding with q=0 is not acceptable; `*` stands for every coding not named.
    private static string Codings(string header)
    {
        if (header.Length == 0) return "";
        Span<int> accepted = stackalloc int[Known.Length]; // 0 unnamed, 1 accepted, -1 refused
        var star = 0;
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var semi = part.IndexOf(';');
            var coding = (semi < 0 ? part : part[..semi]).Trim();
            var ok = semi < 0 || QualityAboveZero(part[(semi + 1)..]);
            if (coding == "*") star = ok ? 1 : -1;
            for (var i = 0; i < Known.Length; i++)
            {
                if (string.Equals(coding, Known[i], StringComparison.OrdinalIgnoreCase)) accepted[i] = ok ? 1 : -1;
            }
        }

        var result = "";
        for (var i = 0; i < Known.Length; i++)
        {
            if (accepted[i] == 1 || (accepted[i] == 0 && star == 1)) result = result.Length == 0 ? Known[i] : result + "," + Known[i];
        }

        return result;
    }

    private static bool QualityAboveZero(string parameters)
    {
        foreach (var parameter in parameters.Split(';', StringSplitOptions.TrimEntries))
        {
            if (!parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase)) continue;
            return double.TryParse(parameter.AsSpan(2), System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var q) && q > 0;
        }

        return true;
    }

    /// <summary>True when <paramref name="stored"/> was stored for a request whose Vary headers match these (section 4.1).</summary>
    public static bool Matches(CachedResponse stored, IHeaderDictionary headers)
    {
        if (stored.VaryNames is not { } names) return true;
        for (var i = 0; i < names.Length; i++)
        {
            if (!string.Equals(VaryValue(headers, names[i]), stored.VaryValues![i], StringComparison.Ordinal)) return false;
        }

        return true;
    }

    /// <summary>The header names a Vary names, lower case; null for none; an empty array for `*` (nothing matches it).</summary>
    public static string[]? VaryNames(IHeaderDictionary responseHeaders)
    {
        var vary = responseHeaders.Vary;
        if (vary.Count == 0) return null;
        var names = new List<string>();
        foreach (var line in vary)
        {
            if (line is null) continue;
            foreach (var name in line.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (name == "*") return [];
                var lower = name.ToLowerInvariant();
                if (!names.Contains(lower)) names.Add(lower);
            }
        }

        return names.Count == 0 ? null : [.. names];
    }
}
