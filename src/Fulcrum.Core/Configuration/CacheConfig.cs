namespace Fulcrum.Core.Configuration;

/// <summary>
/// A route's `cache`: an RFC 9111 shared cache in memory in front of the route's pool (docs/caching.md). The store is
/// the route's (by listener and route name) and outlives reloads; a reload that changes <see cref="MaxSize"/> shrinks
/// or grows the same store.
/// </summary>
public sealed record CacheConfig
{
    /// <summary>The default <see cref="MaxSize"/>, 256 MiB (CONTRACT.md's example).</summary>
    public const long DefaultMaxSize = 256L << 20;

    /// <summary>The largest default <see cref="MaxObjectSize"/>: 8 MiB, or an eighth of the store when that is less.</summary>
    public const long DefaultMaxObjectSizeCap = 8L << 20;

    /// <summary>Bytes the stored responses (bodies, headers and bookkeeping) may take at most; older unused ones are evicted (SIEVE).</summary>
    public long MaxSize { get; init; } = DefaultMaxSize;

    /// <summary>
    /// The largest body stored; a longer one streams through uncached and is never buffered. Null: an eighth of
    /// <see cref="MaxSize"/>, at most 8 MiB (<see cref="EffectiveMaxObjectSize"/>).
    /// </summary>
    public long? MaxObjectSize { get; init; }

    /// <summary>
    /// Heuristic freshness (RFC 9111 section 4.2.2): a response without max-age, s-maxage or Expires but with a
    /// Last-Modified is fresh for a tenth of its age, at most a day. Off by default: such a response is stored only to
    /// be revalidated.
    /// </summary>
    public bool Heuristic { get; init; }

    /// <summary>How long requests for a key being fetched wait for that response before going to the backend themselves (nginx's proxy_cache_lock_timeout).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The cache's name in `Cache-Status` (RFC 9211 section 2).</summary>
    public string Name { get; init; } = "fulcrum";

    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary><see cref="MaxObjectSize"/>, or its default.</summary>
    public long EffectiveMaxObjectSize => MaxObjectSize ?? Math.Min(DefaultMaxObjectSizeCap, MaxSize / 8);
}
