using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.Caching;

/// <summary>
/// The Cache-Control directives a shared cache acts on (RFC 9111 section 5.2, RFC 5861), request and response ones
/// together: each side reads its own. Durations are whole seconds; null when the directive is absent. A directive
/// given twice with different values, or a value that is not delta-seconds, reads as 0, so the response is stale
/// (RFC 9111 section 4.2.1: such a response "SHOULD be considered stale").
/// </summary>
internal sealed class CacheControl
{
    public static readonly CacheControl None = new();

    public long? MaxAge;
    public long? SharedMaxAge;
    /// <summary>Request `max-stale`: <see cref="long.MaxValue"/> when given without a value (any staleness).</summary>
    public long? MaxStale;
    public long? MinFresh;
    public long? StaleWhileRevalidate;
    public long? StaleIfError;
    public bool NoStore;
    /// <summary>`no-cache`, qualified or not: a qualified one is read as unqualified, which RFC 9111 section 5.2.2.4 allows.</summary>
    public bool NoCache;
    /// <summary>`private`, qualified or not: a shared cache stores neither (not storing is always allowed).</summary>
    public bool Private;
    public bool Public;
    public bool MustRevalidate;
    public bool ProxyRevalidate;
    public bool MustUnderstand;
    public bool OnlyIfCached;

    /// <summary>The directives of every Cache-Control field line (the lines are one comma-separated list).</summary>
    public static CacheControl Parse(StringValues values)
    {
        if (values.Count == 0) return None;
        var parsed = new CacheControl();
        foreach (var value in values)
        {
            if (value is not null) parsed.Read(value);
        }

        return parsed;
    }

    private void Read(string text)
    {
        var at = 0;
        while (at < text.Length)
        {
            // name [ "=" ( token / quoted-string ) ], between commas; commas inside quotes belong to the value.
            while (at < text.Length && (text[at] is ',' or ' ' or '\t')) at++;
            var nameStart = at;
            while (at < text.Length && text[at] is not ('=' or ',' or ' ' or '\t')) at++;
            var name = text.AsSpan(nameStart, at - nameStart);
            while (at < text.Length && text[at] is ' ' or '\t') at++;
            ReadOnlySpan<char> value = default;
            var hasValue = false;
            if (at < text.Length && text[at] == '=')
            {
                hasValue = true;
                at++;
                while (at < text.Length && text[at] is ' ' or '\t') at++;
                if (at < text.Length && text[at] == '"')
                {
                    var start = ++at;
                    while (at < text.Length && text[at] != '"')
                    {
                        if (text[at] == '\\') at++;
                        at++;
                    }

                    value = text.AsSpan(start, Math.Min(at, text.Length) - start);
                    at++;
                }
                else
                {
                    var start = at;
                    while (at < text.Length && text[at] is not (',' or ' ' or '\t')) at++;
                    value = text.AsSpan(start, at - start);
                }
            }

            while (at < text.Length && text[at] != ',') at++;
            if (name.Length > 0) Apply(name, hasValue, value);
        }
    }

    private void Apply(ReadOnlySpan<char> name, bool hasValue, ReadOnlySpan<char> value)
    {
        if (Is(name, "max-age")) MaxAge = Seconds(MaxAge, hasValue, value);
        else if (Is(name, "s-maxage")) SharedMaxAge = Seconds(SharedMaxAge, hasValue, value);
        else if (Is(name, "max-stale")) MaxStale = hasValue ? Seconds(MaxStale, true, value) : long.MaxValue;
        else if (Is(name, "min-fresh")) MinFresh = Seconds(MinFresh, hasValue, value);
        else if (Is(name, "stale-while-revalidate")) StaleWhileRevalidate = Seconds(StaleWhileRevalidate, hasValue, value);
        else if (Is(name, "stale-if-error")) StaleIfError = Seconds(StaleIfError, hasValue, value);
        else if (Is(name, "no-store")) NoStore = true;
        else if (Is(name, "no-cache")) NoCache = true;
        else if (Is(name, "private")) Private = true;
        else if (Is(name, "public")) Public = true;
        else if (Is(name, "must-revalidate")) MustRevalidate = true;
        else if (Is(name, "proxy-revalidate")) ProxyRevalidate = true;
        else if (Is(name, "must-understand")) MustUnderstand = true;
        else if (Is(name, "only-if-cached")) OnlyIfCached = true;
    }

    private static bool Is(ReadOnlySpan<char> name, string directive) => name.Equals(directive, StringComparison.OrdinalIgnoreCase);

    // delta-seconds (RFC 9111 section 1.2.2): digits; larger than 2^31 reads as 2^31. Anything else, or a second
    // different value, reads as 0.
    private static long Seconds(long? before, bool hasValue, ReadOnlySpan<char> value)
    {
        long seconds = 0;
        if (hasValue && value.Length > 0)
        {
            foreach (var c in value)
            {
                if (!char.IsAsciiDigit(c))
                {
                    seconds = -1;
                    break;
                }

                seconds = Math.Min(2147483648L, seconds * 10 + (c - '0'));
            }
        }
        else seconds = -1;

        if (seconds < 0) return 0;
        return before is { } earlier && earlier != seconds ? 0 : seconds;
    }
}
