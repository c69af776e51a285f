using Fulcrum.Core.Caching;
using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Caching;

/// <summary>
/// The http plane's cache stores, one per listener and route name, kept across reloads so a reload keeps what is
/// cached (FilterServices holds it). A store no route of the newest generation uses is dropped with its entries.
/// </summary>
internal sealed class CacheStores(CacheRegistry registry)
{
    private readonly object _lock = new();
    private readonly Dictionary<(string Listener, string Route), (CacheStore Store, long Generation)> _stores = [];

    /// <summary>The store of a route in <paramref name="generation"/>, made on first use or reconfigured.</summary>
    public CacheStore For(string listener, string route, CacheConfig config, long generation)
    {
        lock (_lock)
        {
            if (_stores.TryGetValue((listener, route), out var known))
            {
                if (known.Store.Config != config) known.Store.Reconfigure(config);
                _stores[(listener, route)] = (known.Store, Math.Max(generation, known.Generation));
                return known.Store;
            }

            var store = new CacheStore(listener, route, config);
            _stores[(listener, route)] = (store, generation);
            registry.Register(store);
            return store;
        }
    }

    /// <summary>Drops the stores no route of <paramref name="generation"/> asked for.</summary>
    public void Retain(long generation)
    {
        lock (_lock)
        {
            foreach (var (key, (_, used)) in _stores.ToArray())
            {
                if (used < generation) _stores.Remove(key);
            }

            registry.Retain(cache => _stores.ContainsKey((cache.Listener, cache.Route)));
        }
    }
}
