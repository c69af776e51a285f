using Fulcrum.Core.Caching;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Caching;

/// <summary>
/// Whether a shared cache may store a response at all (RFC 9111 section 3), apart from its size, and whether a stored
/// one may answer a request (sections 4.2 and 5.2.1, RFC 5861).
/// </summary>
internal static class CacheRules
{
    /// <summary>RFC 9110 section 15.1: the statuses cacheable by default (heuristic freshness may apply).</summary>
    public static bool IsHeuristicallyCacheable(int status) => status is 200 or 203 or 204 or 300 or 301 or 308 or 404 or 405 or 410 or 414 or 501;

    // The final statuses this cache understands well enough to store. 206 is left out (Fulcrum stores no ranges),
    // so are 304 (it refreshes, it is not stored) and 5xx other than 501.
    private static bool Understands(int status) => IsHeuristicallyCacheable(status) || status is 302 or 303 or 307 or 451;

    /// <summary>Why a response may not be stored; null when it may (RFC 9111 section 3, for a shared cache).</summary>
    /// <param name="status">The response's status.</param>
    /// <param name="response">Its Cache-Control.</param>
    /// <param name="request">The request's Cache-Control.</param>
    /// <param name="authorized">The request carried Authorization.</param>
    /// <param name="hasExpires">The response has an Expires field (valid or not).</param>
    public static string? WhyNotStored(int status, CacheControl response, CacheControl request, bool authorized, bool hasExpires)
    {
        var explicitFreshness = response.MaxAge is not null || response.SharedMaxAge is not null || hasExpires;
        // Any other final status may be stored when the origin gave it a lifetime (section 3: "understood" is the
        // cache's call; a 503 with max-age is the origin asking for it). Never 206 or 304, and never 1xx.
        // must-understand (section 5.2.2.3): only a cache that understands the status may store it.
        if (response.MustUnderstand && !Understands(status)) return "must-understand";
        if (!Understands(status) && (!explicitFreshness || status is < 200 or 206 or 304 or > 599)) return "status";
        // must-understand: a cache that understands the status may ignore no-store (section 5.2.2.3).
        if (request.NoStore || (response.NoStore && !response.MustUnderstand)) return "no-store";
        if (response.Private) return "private";
        // Section 3.5: a shared cache stores an answer to an authorized request only when the origin says it may.
        if (authorized && !(response.MustRevalidate || response.Public || response.SharedMaxAge is not null)) return "authorization";
        if (!explicitFreshness && !response.Public && !IsHeuristicallyCacheable(status)) return "not-cacheable";
        return null;
    }

    // Whether a stored response may answer without the backend: fresh (Hit), stale within the request's max-stale
    // (Stale), or not (Miss). RFC 9111 sections 4.2 and 5.2.1.
    public static CacheResult Usable(CachedResponse stored, CacheControl request, DateTimeOffset now, TimeSpan ttl)
    {
        if (request.NoCache || stored.Control.NoCache) return CacheResult.Miss;
        if (request.MaxAge is { } maxAge && stored.Age(now) > TimeSpan.FromSeconds(maxAge)) return CacheResult.Miss;
        if (request.MinFresh is { } minFresh && ttl < TimeSpan.FromSeconds(minFresh)) return CacheResult.Miss;
        if (ttl > TimeSpan.Zero) return CacheResult.Hit;
        // s-maxage implies proxy-revalidate for a shared cache (section 5.2.2.10): no stale use on a client's say-so.
        if (request.MaxStale is { } maxStale && !stored.MayNotServeStale && stored.Control.SharedMaxAge is null
            && (maxStale == long.MaxValue || -ttl <= TimeSpan.FromSeconds(maxStale))) return CacheResult.Stale;
        return CacheResult.Miss;
    }

    // RFC 5861 section 4: stale-if-error from the response (or the request) covers a 500, 502, 503 or 504.
    public static bool StaleIfError(CachedResponse stale, CacheControl request, DateTimeOffset now)
    {
        if (stale.MayNotServeStale) return false;
        var window = request.StaleIfError ?? stale.Control.StaleIfError;
        return window is { } seconds && -stale.TimeToLive(now) <= TimeSpan.FromSeconds(seconds);
    }

    public static CacheControl RequestControl(IHeaderDictionary headers)
    {
        var values = headers.CacheControl;
        if (values.Count > 0) return CacheControl.Parse(values);
        // RFC 9111 section 5.4: without Cache-Control, Pragma: no-cache means no-cache.
        var pragma = headers.Pragma;
        if (pragma.Count > 0 && pragma.ToString().Contains("no-cache", StringComparison.OrdinalIgnoreCase)) return new CacheControl { NoCache = true };
        return CacheControl.None;
    }

    public static bool HasConditional(IHeaderDictionary headers) =>
        headers.ContainsKey("If-None-Match") || headers.ContainsKey("If-Modified-Since");
}
