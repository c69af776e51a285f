using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.Caching;

/// <summary>
/// One stored response (one variant of one key): status, headers as the backend and the filters below the cache
/// left them, body, and the times RFC 9111 section 4.2.3 computes its age from. Immutable once stored, except the
/// SIEVE bookkeeping: a 304 that refreshes it stores a new one with the same body.
/// </summary>
internal sealed class CachedResponse
{
    // What an entry costs beside its body and headers: the object, its arrays, the dictionary slot.
    private const int Overhead = 256;

    public CachedResponse(string key, string[]? varyNames, string?[]? varyValues, int status, (string Name, StringValues Value)[] headers,
        byte[] body, DateTimeOffset requestTime, DateTimeOffset responseTime, bool heuristic, string device)
    {
        Key = key;
        VaryNames = varyNames;
        VaryValues = varyValues;
        Status = status;
        Headers = headers;
        Body = body;
        RequestTime = requestTime;
        ResponseTime = responseTime;
        long size = Overhead + body.Length + key.Length * 2;
        foreach (var (name, value) in headers)
        {
            size += name.Length * 2 + 32;
            var text = Header(name);
            if (string.Equals(name, "Date", StringComparison.OrdinalIgnoreCase)) Date = HttpDate.Parse(text);
            else if (string.Equals(name, "Expires", StringComparison.OrdinalIgnoreCase)) { HasExpires = true; Expires = HttpDate.Parse(text); }
            else if (string.Equals(name, "Last-Modified", StringComparison.OrdinalIgnoreCase)) { LastModified = text; LastModifiedDate = HttpDate.Parse(text); }
            else if (string.Equals(name, "ETag", StringComparison.OrdinalIgnoreCase)) ETag = text;
            else if (string.Equals(name, "Age", StringComparison.OrdinalIgnoreCase))
            {
                // RFC 9111 section 5.1: one non-negative integer; anything else (a list, a sign, a fraction) makes the response stale.
                if (value.Count == 1 && text is { Length: > 0 } && text.All(char.IsAsciiDigit)) AgeValue = text.Length > 10 ? 2147483648L : long.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
                else AgeInvalid = true;
            }
            foreach (var v in value) size += (v?.Length ?? 0) * 2;
        }

        Size = size;
        Control = CacheHeaders.ControlOf(HeaderValues("Cache-Control"), HeaderValues(CacheHeaders.SurrogateControl), device);
        Lifetime = FreshnessLifetime(heuristic);
        // RFC 9111 section 4.2.3: the age when it arrived, from the Age it came with and the time on the way.
        var dateValue = Date ?? responseTime;
        var apparentAge = Max(TimeSpan.Zero, responseTime - dateValue);
        var correctedAgeValue = TimeSpan.FromSeconds(AgeValue) + (responseTime - requestTime);
        CorrectedInitialAge = Max(apparentAge, correctedAgeValue);
    }

    public string Key { get; }
    /// <summary>The request headers the response's Vary names, lower case; null when it has no Vary.</summary>
    public string[]? VaryNames { get; }
    /// <summary>The request's values of <see cref="VaryNames"/> when it was stored (<see cref="CacheKey.VaryValue"/>).</summary>
    public string?[]? VaryValues { get; }
    public int Status { get; }
    public (string Name, StringValues Value)[] Headers { get; }
    public byte[] Body { get; }
    public DateTimeOffset RequestTime { get; }
    public DateTimeOffset ResponseTime { get; }
    public DateTimeOffset? Date { get; }
    public bool HasExpires { get; }
    public DateTimeOffset? Expires { get; }
    public string? LastModified { get; }
    public DateTimeOffset? LastModifiedDate { get; }
    public string? ETag { get; }
    public long AgeValue { get; }
    /// <summary>The Age it came with was not one non-negative integer: it is stale from the start.</summary>
    public bool AgeInvalid { get; }
    public CacheControl Control { get; }
    public TimeSpan Lifetime { get; }
    public TimeSpan CorrectedInitialAge { get; }
    public long Size { get; }

    public bool HasValidator => ETag is not null || LastModified is not null;

    // ---- SIEVE (Zhang et al., NSDI '24): a FIFO queue and one visited bit; a hit only sets the bit ----
    public volatile bool Visited;
    public CachedResponse? Newer;
    public CachedResponse? Older;
    public bool Linked;

    /// <summary>The response's age now (RFC 9111 section 4.2.3, current_age).</summary>
    public TimeSpan Age(DateTimeOffset now) => CorrectedInitialAge + Max(TimeSpan.Zero, now - ResponseTime);

    /// <summary>Freshness left (negative when stale, by how much).</summary>
    public TimeSpan TimeToLive(DateTimeOffset now) => Lifetime - Age(now);

    /// <summary>
    /// True when a stored response may not be served stale at all: no-cache needs validation every time,
    /// must-revalidate and proxy-revalidate forbid it (RFC 9111 sections 4.2.4, 5.2.2).
    /// </summary>
    public bool MayNotServeStale => Control.NoCache || Control.MustRevalidate || Control.ProxyRevalidate;

    public string? Header(string name)
    {
        foreach (var (n, v) in Headers)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) return v.ToString();
        }

        return null;
    }

    public StringValues HeaderValues(string name)
    {
        foreach (var (n, v) in Headers)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) return v;
        }

        return default;
    }

    // RFC 9111 section 4.2.1: s-maxage (a shared cache), max-age, Expires minus Date; then, when allowed, the
    // heuristic of section 4.2.2 (a tenth of the time since Last-Modified, at most a day, as its note suggests).
    private TimeSpan FreshnessLifetime(bool heuristic)
    {
        if (Control.NoCache || AgeInvalid) return TimeSpan.Zero;
        if (Control.SharedMaxAge is { } shared) return TimeSpan.FromSeconds(shared);
        if (Control.MaxAge is { } maxAge) return TimeSpan.FromSeconds(maxAge);
        if (HasExpires) return Expires is { } expires ? Max(TimeSpan.Zero, expires - (Date ?? ResponseTime)) : TimeSpan.Zero;
        if (heuristic && LastModifiedDate is { } modified && CacheRules.IsHeuristicallyCacheable(Status))
        {
            var since = (Date ?? ResponseTime) - modified;
            return since <= TimeSpan.Zero ? TimeSpan.Zero : Min(TimeSpan.FromDays(1), since / 10);
        }

        return TimeSpan.Zero;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
