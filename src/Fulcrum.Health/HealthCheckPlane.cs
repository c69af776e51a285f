using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Health;

/// <summary>
/// Runs the active checks of every pool that has `health.active`, following the topology store: a reload starts
/// checks for new backends and pools, stops them for removed ones, and restarts a pool's checks when its
/// `health.active` changes. Results feed each backend's <see cref="Core.Health.BackendHealth"/>.
/// </summary>
public sealed partial class HealthCheckPlane : IAsyncDisposable
{
    private readonly TopologyStore _store;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly Dictionary<string, PoolChecker> _checkers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PoolChecker> _agents = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private bool _started;
    private bool _disposed;

    public HealthCheckPlane(TopologyStore store, ILoggerFactory loggerFactory, TimeProvider? time = null, Random? random = null)
    {
        _store = store;
        _time = time ?? store.Services.Time;
        _random = random ?? Random.Shared;
        _logger = loggerFactory.CreateLogger<HealthCheckPlane>();
    }

    /// <summary>
    /// How probes of a pool with a tls block open their connections (the host gives the data plane's TLS settings:
    /// SNI, CA, verification); null when it returns null or is not set: https accepting any certificate.
    /// </summary>
    public Func<Topology, PoolConfig, Func<DnsEndPoint, CancellationToken, ValueTask<Stream>>?>? TlsConnect { get; init; }

    /// <summary>Pools with active checks running now.</summary>
    public IReadOnlyCollection<string> CheckedPools
    {
        get
        {
            lock (_gate) return [.. _checkers.Keys];
        }
    }

    public void Start()
    {
        lock (_gate)
        {
            if (_started) return;
            _started = true;
            _store.Applied += OnApplied;
        }

        Follow(_store.Current);
    }

    private void OnApplied(Topology old, Topology next) => Follow(next);

    private void Follow(Topology topology)
    {
        lock (_gate)
        {
            if (_disposed) return;
            List<string>? gone = null;
            foreach (var name in _checkers.Keys)
            {
                if (!topology.Pools.TryGetValue(name, out var p) || p.Config.Health.Active is null) (gone ??= []).Add(name);
            }

            if (gone is not null)
            {
                foreach (var name in gone)
                {
                    _checkers.Remove(name, out var checker);
                    checker!.Dispose();
                    LogStopped(_logger, name);
                    // Without active checks nothing would ever bring an actively-down backend back.
                    if (topology.Pools.TryGetValue(name, out var p))
                    {
                        foreach (var b in p.Backends) b.HealthDetail.ResetActive();
                    }
                }
            }

            foreach (var pool in topology.Pools.Values)
            {
                var active = pool.Config.Health.Active;
                if (active is null) continue;
                if (_checkers.TryGetValue(pool.Name, out var checker) && !(SameChecks(checker.Config, active) && SameTls(checker.Tls, pool.Config.Tls)))
                {
                    checker.Dispose();
                    _checkers.Remove(pool.Name);
                    checker = null;
                }

                if (checker is null)
                {
                    var connect = pool.Config.Tls is null ? null : TlsConnect?.Invoke(topology, pool.Config);
                    checker = new PoolChecker(active, pool.Config.Tls, connect, _time, _random);
                    _checkers.Add(pool.Name, checker);
                    LogStarted(_logger, pool.Name, active.Type.ToString().ToLowerInvariant(), active.Interval);
                }

                checker.Follow(pool);
            }

            FollowAgents(topology);
        }
    }

    // The agent checks, as the active ones above: started, restarted on a changed config, stopped with their pool.
    private void FollowAgents(Topology topology)
    {
        foreach (var name in _agents.Keys.ToList())
        {
            if (topology.Pools.TryGetValue(name, out var p) && p.Config.Health.Agent is not null) continue;
            _agents.Remove(name, out var agents);
            agents!.Dispose();
            // What a removed agent said must not hold the backends back for ever.
            if (p is not null)
            {
                foreach (var b in p.Backends) b.Reports.ClearAgent();
            }
        }

        foreach (var pool in topology.Pools.Values)
        {
            if (pool.Config.Health.Agent is not { } agent) continue;
            if (_agents.TryGetValue(pool.Name, out var agents) && agents.Config != agent.AsProbe() with { Location = agents.Config.Location })
            {
                agents.Dispose();
                _agents.Remove(pool.Name);
                agents = null;
            }

            if (agents is null)
            {
                agents = new PoolChecker(agent, _time, _random);
                _agents.Add(pool.Name, agents);
                LogStarted(_logger, pool.Name, "agent", agent.Interval);
            }

            agents.Follow(pool);
        }
    }

    private static bool SameChecks(ActiveHealthConfig a, ActiveHealthConfig b) =>
        a with { Location = SourceLocation.None } == b with { Location = SourceLocation.None };

    private static bool SameTls(PoolTlsConfig? a, PoolTlsConfig? b) =>
        (a is null && b is null) || (a is not null && b is not null && a with { Location = SourceLocation.None } == b with { Location = SourceLocation.None });

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed) return ValueTask.CompletedTask;
            _disposed = true;
            _store.Applied -= OnApplied;
            foreach (var checker in _checkers.Values.Concat(_agents.Values)) checker.Dispose();
            _checkers.Clear();
            _agents.Clear();
        }

        return ValueTask.CompletedTask;
    }

    [LoggerMessage(1050, LogLevel.Information, "active {Kind} checks of pool {Pool} every {Interval}")]
    private static partial void LogStarted(ILogger logger, string pool, string kind, TimeSpan interval);

    [LoggerMessage(1051, LogLevel.Information, "active checks of pool {Pool} stopped")]
    private static partial void LogStopped(ILogger logger, string pool);
}
