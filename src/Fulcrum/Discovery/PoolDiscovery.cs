using System.Collections.Immutable;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Discovery;

/// <summary>
/// One pool's discovery: a <see cref="SourceLoop"/> per `dns:`, `srv:` or `file:` entry, and the union of their last
/// good sets given to the pool through <see cref="BackendOperations.ApplyDiscovered"/>, the admin API's runtime path,
/// so a backend that appears slow-starts and one that goes drains. Two sources that find the same address make one
/// backend.
/// </summary>
internal sealed class PoolDiscovery : IAsyncDisposable
{
    private readonly BackendOperations _operations;
    private readonly TopologyStore _store;
    private readonly ILogger _logger;
    private readonly DnsResolver? _resolver;
    private readonly List<SourceLoop> _loops = [];
    private readonly Lock _lock = new();
    private bool _stopped;

    public PoolDiscovery(PoolConfig pool, string configDirectory, TopologyStore store, BackendOperations operations, ILogger logger)
    {
        Config = pool;
        _store = store;
        _operations = operations;
        _logger = logger;
        if (pool.Sources.Any(static s => s.Kind != DiscoveryKind.File)) _resolver = new DnsResolver(pool.Discovery.Resolver, pool.Discovery.Timeout);
        foreach (var source in pool.Sources)
        {
            IBackendLookup lookup = source.Kind switch
            {
                DiscoveryKind.Dns => new DnsLookup(source, _resolver!),
                DiscoveryKind.Srv => new SrvLookup(source, _resolver!),
                _ => new FileLookup(source, Path.Combine(configDirectory, source.Target)),
            };
            _loops.Add(new SourceLoop(pool.Name, source, lookup, pool.Discovery, store.Services.Time, Changed, logger));
        }

        store.Discovery.Set(pool.Name, [.. _loops.Select(static l => l.Status)]);
    }

    /// <summary>The pool config this discovery was built from: a reload that changes its sources or `discovery:` replaces it.</summary>
    public PoolConfig Config { get; }

    public bool Serves(PoolConfig next) => next.Sources.SequenceEqual(Config.Sources) && next.Discovery == Config.Discovery;

    public void Start()
    {
        foreach (var loop in _loops) loop.Start();
    }

    /// <summary>Completes when every source answered or failed once (or <paramref name="limit"/> passed).</summary>
    public Task FirstLookupsAsync(TimeSpan limit) => Task.WhenAll(_loops.Select(static l => l.FirstLookup)).WaitAsync(limit).ContinueWith(static _ => { }, TaskScheduler.Default);

    private void Changed()
    {
        lock (_lock)
        {
            if (_stopped) return;
            var union = new List<BackendConfig>();
            foreach (var loop in _loops) union.AddRange(loop.Current);
            var result = _operations.ApplyDiscovered(Config.Name, union);
            if (!result.Ok) DiscoveryLog.ApplyFailed(_logger, Config.Name, string.Join(", ", _loops.Select(l => l.Source.Text)), result.Message ?? "");
        }
    }

    /// <summary>Stops looking up; with <paramref name="removeBackends"/> (the pool lost its sources) its discovered backends leave and drain.</summary>
    public async Task StopAsync(bool removeBackends)
    {
        lock (_lock) _stopped = true;
        foreach (var loop in _loops) await loop.DisposeAsync();
        if (removeBackends)
        {
            _store.Discovery.Remove(Config.Name);
            if (_store.Current.Pools.ContainsKey(Config.Name)) _operations.ApplyDiscovered(Config.Name, ImmutableArray<BackendConfig>.Empty);
        }

        _resolver?.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync(removeBackends: false);
}
