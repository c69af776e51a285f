using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.L4.Pump;
using Fulcrum.L4.Tcp;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L4;

/// <summary>
/// Every `tcp` listener of the current topology. Follows the topology store: a reload starts new
/// listeners, stops removed ones, rebinds moved ones and swaps the options of the rest in place.
/// One sweeper walks the open connections a few times a second for idle, total, inspect and drain timeouts.
/// </summary>
public sealed class TcpDataPlane : IAsyncDisposable
{
    /// <summary>How often the sweeper looks at every connection: a timeout fires at most this late.</summary>
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(250);

    private readonly object _gate = new();
    private readonly Dictionary<string, TcpListenerLoop> _listeners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<TcpConnection, byte> _connections = new();
    private readonly ConcurrentDictionary<string, AsyncSignal> _slotSignals = new(StringComparer.Ordinal);
    private readonly AsyncSignal _connectionClosed = new();
    private Sweeper? _sweeper;
    private bool _started;

    public TcpDataPlane(TopologyStore store, ILoggerFactory loggerFactory)
    {
        Store = store;
        LoggerFactory = loggerFactory;
        Logger = loggerFactory.CreateLogger<TcpDataPlane>();
        Endpoints = new BackendEndpoints(Time);
        NoBackendWarnings = new LogThrottle(Time);
    }

    public TopologyStore Store { get; }
    public ILoggerFactory LoggerFactory { get; }
    internal ILogger Logger { get; }
    /// <summary>Every timer and timestamp of the plane: the store's clock, so a test can drive it.</summary>
    internal TimeProvider Time => Store.Services.Time;
    internal BackendEndpoints Endpoints { get; }
    internal LogThrottle NoBackendWarnings { get; }

    /// <summary>Listener name to the address it is bound to (port 0 in config becomes the real port).</summary>
    public IReadOnlyDictionary<string, IPEndPoint> BoundEndpoints { get; private set; } = new Dictionary<string, IPEndPoint>();

    /// <summary>
    /// Where a listener finds the socket a process that took over from another inherited for it (docs/ha.md,
    /// "Zero-downtime upgrade"); null or a null answer: it binds its own.
    /// </summary>
    public Func<ListenerConfig, Socket?>? InheritSocket { get; init; }

    /// <summary>Every running listener's config and listening socket, for a process that takes over from this one.</summary>
    public IReadOnlyList<(ListenerConfig Listener, Socket Socket)> ListeningSockets
    {
        get
        {
            lock (_gate) return ListenerReconciler.Sockets(_listeners);
        }
    }

    /// <summary>How connections' bytes move once set up; chosen when the plane starts (<see cref="PumpEngines"/>).</summary>
    internal IPumpEngine PumpEngine { get; private set; } = EpollPumpEngine.Instance;

    /// <summary>The relay engine running: `epoll` or `io_uring` (the start-up log says why).</summary>
    public string IoEngine => PumpEngine.Name;

    /// <summary>Tests stand in for a kernel that refuses io_uring: a non-null answer is the refusal's reason.</summary>
    internal Func<string?>? UringRefusal { get; init; }

    /// <summary>FULCRUM_IO_ENGINE's value; tests that check the config's choice stand in for the environment.</summary>
    internal Func<string?> IoEngineVariable { get; init; } = static () => Environment.GetEnvironmentVariable(PumpEngines.Variable);

    /// <summary>Open client connections across all tcp listeners.</summary>
    public int ActiveConnections => _connections.Count;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_started) return Task.CompletedTask;
            _started = true;
            PumpEngine = PumpEngines.Select(Store.Current.Config.IoEngine, IoEngineVariable(), Logger, UringRefusal);
            Sync(Store.Current);
            Store.Applied += OnApplied;
            _sweeper = new Sweeper(Time, SweepInterval, Sweep);
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops accepting, lets open connections finish until the token fires, then closes the rest.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task[] stops;
        lock (_gate)
        {
            Store.Applied -= OnApplied;
            stops = [.. _listeners.Values.Select(l => l.StopAsync())];
            _listeners.Clear();
            BoundEndpoints = new Dictionary<string, IPEndPoint>();
        }

        await Task.WhenAll(stops).ConfigureAwait(false);
        try
        {
            while (true)
            {
                var closed = _connectionClosed.Next();
                if (_connections.IsEmpty) break;
                await closed.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            AbortAll();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
        if (_sweeper is not null) await _sweeper.DisposeAsync().ConfigureAwait(false);
        AbortAll();
    }

    internal void Register(TcpConnection connection) => _connections.TryAdd(connection, 0);

    internal void Unregister(TcpConnection connection)
    {
        _connections.TryRemove(connection, out _);
        _connectionClosed.Pulse();
    }

    internal AsyncSignal SlotSignal(string pool) => _slotSignals.GetOrAdd(pool, static _ => new AsyncSignal());

    internal void OnBackendSlotFreed(Pool pool)
    {
        if (pool.Config.BackendMaxConnections > 0 && _slotSignals.TryGetValue(pool.Name, out var signal)) signal.Pulse();
    }

    private void AbortAll()
    {
        foreach (var (connection, _) in _connections) connection.Abort(Outcome.Success);
    }

    private void OnApplied(Topology old, Topology next)
    {
        lock (_gate)
        {
            if (_started) Sync(next);
        }
    }

    // Reconciles the running listeners with the topology's tcp listeners. Caller holds _gate.
    private void Sync(Topology topology)
    {
        BoundEndpoints = ListenerReconciler.Reconcile(_listeners, topology, ListenerProtocol.Tcp, config => new TcpListenerLoop(this, config), Logger);
    }

    private void Sweep(long now)
    {
        var topology = Store.Current;
        foreach (var (connection, _) in _connections) connection.Sweep(now, topology);
    }
}
