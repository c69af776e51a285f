using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Fulcrum.L7.Auth;

/// <summary>
/// Tokens one route verified lately, by the exact text they came in (the `Authorization` header's value, say), so a client that sends the same token again costs a lookup
/// and a lifetime check instead of a signature verification (as Envoy's jwt_authn `jwt_cache_config`). What a cache hit
/// skips depends only on the token's bytes, the key set (an entry holds its version; another version is a miss) and the
/// route's settings (one cache per route's filter). Bounded: when full it starts empty again.
/// </summary>
internal sealed class ValidatedTokens(int capacity = ValidatedTokens.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>A verified token with what the route derived from it once.</summary>
    /// <param name="Expires">`exp` in UTC.</param>
    /// <param name="ClaimsMet">Whether the token carries the route's `require`d claims.</param>
    /// <param name="Forwarded">The values of the route's `forward-claims`, in order; null where the token lacks the claim.</param>
    public sealed record Entry(JsonWebToken Token, int KeysVersion, DateTime Expires, bool ClaimsMet, string?[] Forwarded);

    public bool TryGet(string text, int keysVersion, out Entry entry) =>
        _entries.TryGetValue(text, out entry!) && entry.KeysVersion == keysVersion;

    public void Add(string text, Entry entry)
    {
        if (capacity == 0) return; // remembers nothing: what a benchmark of the full verification uses
        if (_entries.Count >= capacity) _entries.Clear();
        _entries[text] = entry;
    }
}
