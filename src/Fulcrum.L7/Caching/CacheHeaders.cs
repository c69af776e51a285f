using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.Caching;

/// <summary>Which response headers a stored response keeps, and how a 304 updates them (RFC 9111 sections 3.1, 3.2).</summary>
internal static class CacheHeaders
{
    /// <summary>
    /// The W3C Edge Architecture note's header for caches in front of the origin (surrogates, which Fulcrum's cache is):
    /// when present its directives replace Cache-Control's for this cache, and it is not passed on to clients.
    /// </summary>
    public const string SurrogateControl = "Surrogate-Control";

    /// <summary>The request header a surrogate adds so the origin may target directives at it (`NAME="Surrogate/1.0"`).</summary>
    public const string SurrogateCapability = "Surrogate-Capability";

    /// <summary>
    /// The directives this cache acts on: Surrogate-Control's when the response has one, else Cache-Control's. A
    /// Surrogate-Control directive targeted at a device (`max-age=60;NAME`) counts only when NAME is this cache's
    /// <paramref name="device"/> name.
    /// </summary>
    public static CacheControl ControlOf(StringValues cacheControl, StringValues surrogateControl, string device)
    {
        if (surrogateControl.Count == 0) return CacheControl.Parse(cacheControl);
        var applicable = new List<string>();
        foreach (var line in surrogateControl)
        {
            foreach (var directive in (line ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var semi = directive.IndexOf(';');
                if (semi < 0) applicable.Add(directive);
                else if (directive.AsSpan(semi + 1).Trim().Equals(device, StringComparison.OrdinalIgnoreCase)) applicable.Add(directive[..semi]);
            }
        }

        return CacheControl.Parse(string.Join(", ", applicable));
    }

    /// <summary>
    /// The response's headers minus those the cache writes itself when it serves (Content-Length from the body,
    /// Cache-Status) and the affinity cookie of the client that caused the fetch, which pins that client only.
    /// Hop-by-hop headers never reach here: the backend leg drops them.
    /// </summary>
    public static (string Name, StringValues Value)[] ForStore(IHeaderDictionary headers, string? affinityCookie)
    {
        var kept = new List<(string, StringValues)>(headers.Count);
        foreach (var (name, value) in headers)
        {
            if (IsOwn(name)) continue;
            if (affinityCookie is not null && string.Equals(name, "Set-Cookie", StringComparison.OrdinalIgnoreCase))
            {
                var others = value.Where(v => v != affinityCookie).ToArray();
                if (others.Length > 0) kept.Add((name, new StringValues(others)));
                continue;
            }

            kept.Add((name, value));
        }

        return [.. kept];
    }

    /// <summary>
    /// RFC 9111 section 3.2: the stored headers with each header of the 304 in place of the stored one, except those
    /// the stored body depends on (Content-Length, Content-Encoding, Content-Range, Content-MD5, Transfer-Encoding)
    /// and the validator the stored body was selected by (ETag).
    /// </summary>
    public static (string Name, StringValues Value)[] Refresh((string Name, StringValues Value)[] stored, IHeaderDictionary notModified)
    {
        var result = new List<(string Name, StringValues Value)>(stored.Length + 4);
        foreach (var (name, value) in stored)
        {
            if (!Updates(name) || !notModified.ContainsKey(name)) result.Add((name, value));
        }

        foreach (var (name, value) in notModified)
        {
            if (Updates(name) && !IsOwn(name)) result.Add((name, value));
        }

        return [.. result];
    }

    private static bool Updates(string name) =>
        !string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase)
        && !string.Equals(name, "Content-Encoding", StringComparison.OrdinalIgnoreCase)
        && !string.Equals(name, "Content-Range", StringComparison.OrdinalIgnoreCase)
        && !string.Equals(name, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        && !string.Equals(name, "Content-MD5", StringComparison.OrdinalIgnoreCase)
        && !string.Equals(name, "ETag", StringComparison.OrdinalIgnoreCase);

    private static bool IsOwn(string name) =>
        string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, "Cache-Status", StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase);
}
