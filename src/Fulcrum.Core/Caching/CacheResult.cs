namespace Fulcrum.Core.Caching;

/// <summary>What a route's cache did with one request: the access log's `cache` field and the label of `fulcrum.cache.requests`.</summary>
public enum CacheResult
{
    /// <summary>`hit`: a fresh stored response answered; the backend saw nothing.</summary>
    Hit,
    /// <summary>`stale`: a stale stored response answered (stale-while-revalidate, stale-if-error, or a request's max-stale).</summary>
    Stale,
    /// <summary>`revalidated`: a stored response answered after the backend said 304 Not Modified to a conditional request.</summary>
    Revalidated,
    /// <summary>`collapsed`: the request waited for another request's fetch of the same key and was answered from it.</summary>
    Collapsed,
    /// <summary>`miss`: the backend answered (nothing stored, not usable, or the request asked to skip the cache).</summary>
    Miss,
    /// <summary>`bypass`: the request is not one a cache answers (its method, an upgrade); unsafe methods invalidate.</summary>
    Bypass,
}
