using Fulcrum.L7.Exchange;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Caching;

/// <summary>
/// How an answer from the store is written: the stored headers, `Age` (RFC 9111 section 5.1) and `Cache-Status` (RFC
/// 9211), and whether a client's own conditional request gets a 304 (RFC 9111 section 4.3.2).
/// </summary>
internal static class CacheAnswer
{
    public const string CacheStatusHeader = "Cache-Status";

    public static void WriteHeaders(HttpExchange exchange, CachedResponse stored, DateTimeOffset now, string cacheStatus, bool notModified = false)
    {
        var headers = exchange.ResponseHeaders;
        foreach (var (name, value) in stored.Headers)
        {
            // RFC 9110 section 15.4.5: a 304 carries the validators and the caching headers, not the content's.
            if (notModified && (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) && !string.Equals(name, "Content-Location", StringComparison.OrdinalIgnoreCase))) continue;
            if (string.Equals(name, CacheHeaders.SurrogateControl, StringComparison.OrdinalIgnoreCase)) continue;
            headers[name] = value;
        }

        headers.Age = Seconds(stored.Age(now)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers[CacheStatusHeader] = Prepend(headers, cacheStatus);
    }

    // RFC 9211 section 2: each cache adds its entry before those of the caches behind it.
    public static string Prepend(IHeaderDictionary headers, string entry) =>
        headers[CacheStatusHeader] is { Count: > 0 } behind ? entry + ", " + behind.ToString() : entry;

    public static bool NotModified(IHeaderDictionary request, CachedResponse stored)
    {
        var ifNoneMatch = request.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            if (stored.ETag is not { } etag) return false;
            var tag = Opaque(etag);
            foreach (var line in ifNoneMatch)
            {
                foreach (var candidate in (line ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (candidate == "*" || Opaque(candidate) == tag) return true; // weak comparison (RFC 9110 section 13.1.2)
                }
            }

            return false;
        }

        if (request.IfModifiedSince.Count > 0 && HttpDate.Parse(request.IfModifiedSince.ToString()) is { } since)
        {
            var modified = stored.LastModifiedDate ?? stored.Date;
            return modified is { } m && m <= since;
        }

        return false;
    }

    public static string Opaque(string tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;

    public static long Seconds(TimeSpan span) => (long)Math.Floor(span.TotalSeconds);
}
