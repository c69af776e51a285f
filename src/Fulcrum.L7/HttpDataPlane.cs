using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.IO.Uring;
using Fulcrum.Core.Model;
using Fulcrum.L7.Diagnostics;
using Fulcrum.L7.Filters;
using Fulcrum.L7.Forwarding;
using Fulcrum.L7.Hosting;
using Fulcrum.L7.Routing;
using Fulcrum.L7.Uring;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Fulcrum.L7;

/// <summary>
/// Every http/https listener of the current topology: Kestrel in front, each route's filter chain, and the backend
/// leg behind (YARP's forwarder for upgrades only). Follows the topology store: reloads add and remove listeners and swap routes.
/// </summary>
/// <remarks>
/// One KestrelServer per listener (see <see cref="KestrelListener"/>). On <see cref="TopologyStore.Applied"/>
/// the routes of listeners that keep their address are swapped at once, inside Apply; listeners that
/// appear, disappear or move are started and stopped in the background, one reload at a time.
/// </remarks>
public sealed class HttpDataPlane : IAsyncDisposable
{
    /// <summary>How long a listener removed or moved by a reload may take to finish its in-flight requests.</summary>
    public static readonly TimeSpan ReloadDrainTimeout = TimeSpan.FromSeconds(10);

    private readonly ServiceProvider _services;
    private readonly PoolClientCache _clients;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly object _listenersLock = new();
    private readonly Dictionary<string, KestrelListener> _listeners = new(StringComparer.Ordinal);
    private readonly PoolDirectory _pools;
    private FilterServices? _filterServices;
    private readonly object _reconcileLock = new();
    private volatile bool _stopping;
    private readonly Lock _engineLock = new();
    private UringLoops? _loops;
    private string? _connectionEngine;
    private volatile bool _keepAliveEnded;
    private Task _reconciling = Task.CompletedTask;

    public HttpDataPlane(TopologyStore store, ILoggerFactory loggerFactory)
    {
        Store = store;
        LoggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Fulcrum.L7");
        var services = new ServiceCollection();
        services.AddSingleton(loggerFactory);
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddHttpForwarder();
        Tls.KestrelTlsServices.AddTo(services);
        _services = services.BuildServiceProvider();
        _clients = new PoolClientCache(_logger);
        _pools = new PoolDirectory(store, new UpgradeLeg(_services.GetRequiredService<IHttpForwarder>()), _clients, _logger);
    }

    public TopologyStore Store { get; }

    /// <summary>
    /// How the own front end's connections do I/O, `io_uring` or `epoll`: chosen when the first listener with
    /// `front-end: fulcrum` starts (<see cref="ConnectionEngine"/>); null before.
    /// </summary>
    public string? ConnectionEngineName => Volatile.Read(ref _connectionEngine);

    /// <summary>Stands in for the kernel in tests: a non-null answer is a kernel that refuses io_uring.</summary>
    internal Func<string?>? UringRefusal { get; init; }

    /// <summary>FULCRUM_IO_ENGINE's value; tests that check the config's choice stand in for the environment.</summary>
    internal Func<string?> IoEngineVariable { get; init; } = static () => Environment.GetEnvironmentVariable(Core.IO.Uring.IoEngineVariable.Name);
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>
    /// Run each connection's HTTP work on the thread that completed its socket operation, not on a
    /// thread-pool item: with the runtime's inline socket completions this makes the epoll threads event loops.
    /// </summary>
    public bool InlineScheduling { get; init; }

    /// <summary>The filters routes may name in `filters:`; Fulcrum's own unless a test or an embedder adds more.</summary>
    internal FilterRegistry Filters { get; init; } = FilterRegistry.Default;

    /// <summary>What routes' filters share across reloads; built on first use, after <see cref="Filters"/> is set.</summary>
    internal FilterServices FilterServices => _filterServices ??= new(Store.Services, Filters, Store.Protection, Store.Caches, Store.Routes);

    /// <summary>
    /// Where a listener finds the socket a process that took over from another inherited for it (docs/ha.md,
    /// "Zero-downtime upgrade"); null or a null answer: Kestrel binds its own.
    /// </summary>
    public Func<ListenerConfig, Socket?>? InheritSocket { get; init; }

    /// <summary>
    /// Set when another process has taken the listening sockets over: <see cref="StopAsync"/> then stops accepting at
    /// once but closes connections gently, HTTP/1.1 ones after their next response and HTTP/2 ones with GOAWAY, instead
    /// of closing idle keep-alive connections under a request their client may be sending (docs/ha.md, "Zero-downtime upgrade").
    /// </summary>
    public bool HandedOver { get; set; }

    /// <summary>Every running listener's config and listening socket, for a process that takes over from this one.</summary>
    public IReadOnlyList<(ListenerConfig Listener, Socket Socket)> ListeningSockets
    {
        get
        {
            var sockets = new List<(ListenerConfig, Socket)>();
            lock (_listenersLock)
            {
                foreach (var listener in _listeners.Values)
                {
                    if (listener.ListenSocket is { } socket) sockets.Add((listener.Config, socket));
                }
            }

            return sockets;
        }
    }

    /// <summary>Listener name to the address it is bound to (port 0 in config becomes the real port).</summary>
    public IReadOnlyDictionary<string, IPEndPoint> BoundEndpoints { get; private set; } = new Dictionary<string, IPEndPoint>();

    /// <summary>Binds every http listener of the current topology; throws when one cannot bind.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Store.Applied += OnApplied;
        var generation = _pools.Prepare(Store.Current);
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            await ReconcileAsync(generation, throwOnBindFailure: true, cancellationToken);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops accepting, lets in-flight requests finish until the token fires, then closes.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        Store.Applied -= OnApplied;
        await _lifecycle.WaitAsync(CancellationToken.None);
        try
        {
            KestrelListener[] listeners;
            lock (_listenersLock)
            {
                listeners = [.. _listeners.Values];
                _listeners.Clear();
            }

            var stops = new Task[listeners.Length];
            for (var i = 0; i < listeners.Length; i++) stops[i] = HandedOver ? listeners[i].HandOverAsync(cancellationToken) : listeners[i].StopAsync(cancellationToken);
            await Task.WhenAll(stops);
            BoundEndpoints = new Dictionary<string, IPEndPoint>();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// The drain's first step: from now on every http connection closes after the request it serves, and idle ones
    /// close now, while every listener keeps accepting (see <see cref="KestrelListener.EndKeepAlive"/>).
    /// </summary>
    public void EndKeepAlive()
    {
        _keepAliveEnded = true;
        lock (_listenersLock)
        {
            foreach (var listener in _listeners.Values) listener.EndKeepAlive();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(new CancellationToken(canceled: true));
        await _reconciling;
        _clients.Dispose();
        _filterServices?.Dispose();
        await _services.DisposeAsync();
    }

    /// <summary>Completes when the listeners follow the newest topology seen (for tests and the host).</summary>
    internal Task Reconciled => Volatile.Read(ref _reconciling);

    private void OnApplied(Topology old, Topology next)
    {
        if (_stopping) return;
        try
        {
            var generation = _pools.Prepare(next);
            if (generation.Generation != next.Generation) return; // a newer one already came

            // Routes of listeners that keep their socket change now, before Apply returns.
            lock (_listenersLock)
            {
                foreach (var config in next.Config.Listeners)
                {
                    if (_listeners.TryGetValue(config.Name, out var listener) && listener.CanServe(config))
                    {
                        listener.Apply(config, Compile(config, generation));
                    }
                }
            }
        }
        catch (Exception e)
        {
            // Runs inside TopologyStore.Apply (a reload, an admin call): our failure must not become theirs.
            Log.ReconcileFailed(_logger, next.Generation, e);
        }

        lock (_reconcileLock)
        {
            _reconciling = ReconcileInBackgroundAsync(_reconciling);
        }
    }

    private async Task ReconcileInBackgroundAsync(Task previous)
    {
        await previous;
        var generation = _pools.Latest!;
        await _lifecycle.WaitAsync();
        try
        {
            if (_stopping) return;
            await ReconcileAsync(generation, throwOnBindFailure: false, CancellationToken.None);
        }
        catch (Exception e)
        {
            Log.ReconcileFailed(_logger, generation.Generation, e);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private RouteTable Compile(ListenerConfig config, GenerationPools generation)
    {
        var errors = new List<ConfigError>();
        var tracing = generation.Topology.Config.Tracing is { Enabled: true };
        var directory = Tls.TlsConfigCheck.BaseDirectoryOf(generation.Topology.Config);
        var table = RouteCompiler.Compile(config, generation.Generation, generation.Forwarders, FilterServices, tracing, directory, errors, generation.Topology.Geo);
        foreach (var error in errors) Log.RouteRejected(_logger, error.Location.ToString(), error.Message);
        return table;
    }

    /// <summary>
    /// Brings the running listeners in line with a generation in the same three steps as the L4 plane's
    /// ListenerReconciler: the wanted listeners; those that left or cannot keep their socket (moved bind, other
    /// protocol or limits) stop, with the reload drain time; one that stays takes its new routes in place, a new one
    /// binds and starts. A listener that cannot bind is logged and left out, unless this is the first start.
    /// Holds _lifecycle.
    /// </summary>
    private async Task ReconcileAsync(GenerationPools generation, bool throwOnBindFailure, CancellationToken cancellationToken)
    {
        var wanted = Wanted(generation.Topology);
        await StopLeaversAsync(wanted);

        var bound = new Dictionary<string, IPEndPoint>(StringComparer.Ordinal);
        foreach (var (name, config) in wanted)
        {
            KestrelListener? listener;
            lock (_listenersLock) _listeners.TryGetValue(name, out listener);
            if (listener is not null)
            {
                // Usually done already in OnApplied; compiling again would only rebuild the same regexes.
                if (listener.Routes.Generation < generation.Generation) listener.Apply(config, Compile(config, generation));
            }
            else if (await TryStartAsync(config, generation, throwOnBindFailure, cancellationToken) is { } started)
            {
                lock (_listenersLock) _listeners[name] = listener = started;
            }
            else continue;

            if (listener.BoundEndpoint is { } endpoint) bound[name] = endpoint;
        }

        BoundEndpoints = bound;
        FilterServices.Auth.Retain(generation.Generation); // every listener follows it now: JWKS sources no route names stop
        FilterServices.Caches.Retain(generation.Generation); // and caches no route names drop their entries
    }

    private static Dictionary<string, ListenerConfig> Wanted(Topology topology)
    {
        var wanted = new Dictionary<string, ListenerConfig>(StringComparer.Ordinal);
        foreach (var config in topology.Config.Listeners)
        {
            if (Serves(config.Protocol)) wanted[config.Name] = config;
        }

        return wanted;
    }

    // In-flight requests of a leaving listener get ReloadDrainTimeout to finish.
    private async Task StopLeaversAsync(Dictionary<string, ListenerConfig> wanted)
    {
        var leaving = new List<KestrelListener>();
        lock (_listenersLock)
        {
            foreach (var (name, listener) in _listeners)
            {
                if (!wanted.TryGetValue(name, out var config) || !listener.CanServe(config)) leaving.Add(listener);
            }

            foreach (var listener in leaving) _listeners.Remove(listener.Config.Name);
        }

        foreach (var listener in leaving)
        {
            using var drain = new CancellationTokenSource(ReloadDrainTimeout);
            await listener.StopAsync(drain.Token);
        }
    }

    // Once per process run, on the first own-front-end listener: a Kestrel-only config starts no ring for L7.
    private UringLoops? ChooseConnectionEngine()
    {
        lock (_engineLock)
        {
            if (_connectionEngine is null)
            {
                _loops = ConnectionEngine.Select(Store.Current.Config.IoEngine, IoEngineVariable(), _logger, UringRefusal);
                Volatile.Write(ref _connectionEngine, _loops is null ? "epoll" : "io_uring");
            }

            return _loops;
        }
    }

    private async Task<KestrelListener?> TryStartAsync(ListenerConfig config, GenerationPools generation, bool throwOnBindFailure, CancellationToken cancellationToken)
    {
        var listener = new KestrelListener(config, _services, LoggerFactory, _logger, Store)
        {
            ConfigDirectory = Tls.TlsConfigCheck.BaseDirectoryOf(generation.Topology.Config),
            InlineScheduling = InlineScheduling,
            Inherit = InheritSocket,
            Uring = ChooseConnectionEngine,
        };
        listener.Apply(config, Compile(config, generation));
        if (_keepAliveEnded) listener.EndKeepAlive();
        try
        {
            await listener.StartAsync(cancellationToken);
            return listener;
        }
        catch (Exception e) when (!throwOnBindFailure)
        {
            Log.ListenerFailed(_logger, config.Name, config.Bind.ToString(), e);
            return null;
        }
    }

    private static bool Serves(ListenerProtocol protocol) => protocol is ListenerProtocol.Http or ListenerProtocol.Https;
}
