using System.Collections.Frozen;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L7.Forwarding;

/// <summary>
/// The pool forwarders of the newest topology generation, built once per generation. Also the way out of
/// one reload race: the store retires a reload's departed backends before the listeners swap their routes,
/// so a request that read the old routes can find its old pool empty; it then asks here for the newer one.
/// </summary>
internal sealed class PoolDirectory
{
    private readonly TopologyStore _store;
    private readonly UpgradeLeg _upgrades;
    private readonly PoolClientCache _clients;
    private readonly ILogger _logger;
    private readonly object _lock = new();
    private volatile GenerationPools? _latest;

    public PoolDirectory(TopologyStore store, UpgradeLeg upgrades, PoolClientCache clients, ILogger logger)
    {
        _store = store;
        _upgrades = upgrades;
        _clients = clients;
        _logger = logger;
    }

    public GenerationPools? Latest => _latest;

    /// <summary>The forwarders of <paramref name="topology"/>, or of a newer generation already prepared.</summary>
    public GenerationPools Prepare(Topology topology)
    {
        lock (_lock)
        {
            if (_latest is { } known && known.Generation >= topology.Generation) return known;
            var forwarders = new Dictionary<string, PoolForwarder>(StringComparer.Ordinal);
            foreach (var (name, pool) in topology.Pools)
            {
                var clients = _clients.Get(pool.Config, Tls.TlsConfigCheck.BaseDirectoryOf(topology.Config), pool.Services.Time);
                // Backends that left the pool close their idle connections now; in-flight ones close as they finish.
                clients.Connections.Retain(pool.Backends);
                forwarders[name] = new PoolForwarder(pool, topology.Generation, this, _upgrades, clients, _logger);
            }

            _clients.Retain(topology.Pools.Keys);
            var generation = new GenerationPools(topology, forwarders.ToFrozenDictionary(StringComparer.Ordinal));
            _latest = generation;
            return generation;
        }
    }

    /// <summary>The same pool in a newer generation than <paramref name="generation"/>, when the store has one.</summary>
    public PoolForwarder? Newer(string pool, long generation)
    {
        var current = _store.Current;
        if (current.Generation <= generation) return null;
        return Prepare(current).Forwarders.TryGetValue(pool, out var forwarder) ? forwarder : null;
    }
}
