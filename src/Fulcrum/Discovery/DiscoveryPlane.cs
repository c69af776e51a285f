using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.Hosting;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Discovery;

/// <summary>
/// Service discovery as one of the host's planes: a <see cref="PoolDiscovery"/> for every pool with `dns:`, `srv:` or
/// `file:` backends, kept in step with reloads. It starts after the health checks and before the traffic planes, and
/// waits (at most a lookup timeout) for each source's first answer, so the first requests find the discovered
/// backends. Resolving is I/O, so it lives here in the host, not in Core; what it finds goes into Core through the
/// runtime overlay, as the admin API's additions do.
/// </summary>
internal sealed class DiscoveryPlane : IPlane
{
    private readonly TopologyStore _store;
    private readonly BackendOperations _operations;
    private readonly string _configDirectory;
    private readonly ILogger _logger;
    private readonly Dictionary<string, PoolDiscovery> _pools = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _started;

    public DiscoveryPlane(TopologyStore store, string configDirectory, ILoggerFactory loggerFactory)
    {
        _store = store;
        // Without a sink: every instance of a cluster discovers for itself, so what one finds is not shared.
        _operations = new BackendOperations(store);
        _configDirectory = configDirectory;
        _logger = loggerFactory.CreateLogger("Fulcrum.Discovery");
    }

    public string Name => "discovery";

    public bool CarriesTraffic => false;

    /// <summary>True when some pool of <paramref name="config"/> has discovery sources.</summary>
    public static bool Needed(FulcrumConfig config) => config.Pools.Any(static p => !p.Sources.IsEmpty);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        List<PoolDiscovery> started;
        lock (_lock)
        {
            _started = true;
            started = Reconcile(_store.Current.Config);
        }

        _store.Applied += OnApplied;
        var limit = _store.Current.Config.Pools.Select(static p => p.Discovery.Timeout).DefaultIfEmpty(TimeSpan.Zero).Max() * 3;
        await Task.WhenAll(started.Select(p => p.FirstLookupsAsync(limit))).WaitAsync(cancellationToken);
    }

    private void OnApplied(Topology old, Topology next)
    {
        if (ReferenceEquals(old.Config, next.Config)) return; // a runtime change (the API's, or discovery's own)
        lock (_lock)
        {
            if (_started) Reconcile(next.Config);
        }
    }

    // Starts discovery for pools that gained sources or changed them; stops it for pools that lost them. Never waits
    // under the lock: a loop stopping may be applying what it found, which raises Applied on its own thread.
    private List<PoolDiscovery> Reconcile(FulcrumConfig config)
    {
        var started = new List<PoolDiscovery>();
        var wanted = config.Pools.Where(static p => !p.Sources.IsEmpty).ToDictionary(static p => p.Name, StringComparer.Ordinal);
        foreach (var (name, running) in _pools.ToArray())
        {
            if (wanted.TryGetValue(name, out var pool) && running.Serves(pool)) continue;
            _pools.Remove(name);
            var removeBackends = !wanted.ContainsKey(name);
            _ = Task.Run(() => running.StopAsync(removeBackends));
        }

        foreach (var (name, pool) in wanted)
        {
            if (_pools.ContainsKey(name)) continue;
            var discovery = new PoolDiscovery(pool, _configDirectory, _store, _operations, _logger);
            _pools.Add(name, discovery);
            discovery.Start();
            started.Add(discovery);
        }

        return started;
    }

    public async Task StopAsync(CancellationToken drainDeadline)
    {
        List<PoolDiscovery> running;
        lock (_lock)
        {
            _started = false;
            running = [.. _pools.Values];
            _pools.Clear();
        }

        _store.Applied -= OnApplied;
        foreach (var pool in running) await pool.DisposeAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}
