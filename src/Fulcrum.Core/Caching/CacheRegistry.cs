using System.Collections.Concurrent;

namespace Fulcrum.Core.Caching;

/// <summary>
/// Every route cache of the process, by listener and route name, for the admin API (`GET /api/cache`,
/// `POST /api/cache/purge`) and the `fulcrum.cache.*` metrics. A cache stays registered across reloads, as its
/// entries do; one a reload no longer names is removed by <see cref="Retain"/>.
/// </summary>
public sealed class CacheRegistry
{
    private readonly ConcurrentDictionary<(string Listener, string Route), IRouteCache> _caches = new();

    public void Register(IRouteCache cache) => _caches[(cache.Listener, cache.Route)] = cache;

    /// <summary>Removes the caches <paramref name="keep"/> says no route uses any more.</summary>
    public void Retain(Func<IRouteCache, bool> keep)
    {
        foreach (var (key, cache) in _caches)
        {
            if (!keep(cache)) _caches.TryRemove(key, out _);
        }
    }

    /// <summary>Every cache, ordered by listener, then route.</summary>
    public IReadOnlyList<IRouteCache> All =>
        [.. _caches.Values.OrderBy(static c => c.Listener, StringComparer.Ordinal).ThenBy(static c => c.Route, StringComparer.Ordinal)];

    /// <summary>
    /// Purges by <paramref name="key"/> or <paramref name="prefix"/> in the caches of <paramref name="listener"/> and
    /// <paramref name="route"/> (every one when null). Returns the entries removed.
    /// </summary>
    public int Purge(string? listener, string? route, string? key, string? prefix)
    {
        var removed = 0;
        foreach (var cache in All)
        {
            if (listener is not null && cache.Listener != listener) continue;
            if (route is not null && cache.Route != route) continue;
            removed += cache.Purge(key, prefix);
        }

        return removed;
    }
}
