using System.Diagnostics.Metrics;
using System.Net;
using Fulcrum.Admin;
using Fulcrum.Admin.Json;
using Fulcrum.Admin.Metrics;
using Fulcrum.Cluster;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Handover;
using Fulcrum.Core.Model;
using Fulcrum.Core.Observability;
using Fulcrum.Dns;
using Fulcrum.Health;
using Fulcrum.L4;
using Fulcrum.L7;
using Fulcrum.L7.Tls;
using Fulcrum.Vrrp;
using Fulcrum.Takeover;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Hosting;

/// <summary>
/// One running balancer: the <see cref="TopologyStore"/>, the planes that serve it (started and
/// stopped together) and, when it came from a file, the <see cref="ConfigReloader"/>. `fulcrum run`,
/// `fulcrum demo` and the in-process tests all run through this class.
/// </summary>
public sealed class BalancerHost : IAsyncDisposable
{
    private readonly List<IPlane> _planes = [];
    private readonly List<IPlane> _started = [];
    private readonly AdminPlane? _admin;
    private readonly ILogger _log;
    private readonly PrometheusExporter _exporter;
    private volatile bool _draining;
    private bool _disposed;

    /// <param name="config">A validated config.</param>
    /// <param name="loggerFactory">Where every plane logs.</param>
    /// <param name="configPath">The file <paramref name="config"/> came from; null when it did not come from a file (the demo), which means no reloads.</param>
    public BalancerHost(FulcrumConfig config, ILoggerFactory loggerFactory, string? configPath = null)
        : this(config, loggerFactory, configPath, null, null)
    {
    }

    /// <param name="inherited">Listening sockets received from the process this one takes over from (docs/ha.md); the listeners claim them instead of binding.</param>
    /// <param name="inheritedState">That process's runtime overlay, operator intents and health, restored before the first request.</param>
    internal BalancerHost(FulcrumConfig config, ILoggerFactory loggerFactory, string? configPath,
        InheritedSockets? inherited, RuntimeState? inheritedState)
    {
        LoggerFactory = loggerFactory;
        _log = loggerFactory.CreateLogger<BalancerHost>();
        // Pools log health, panic and drain events (backend down/up, ejected, drained) through the services;
        // access logs are written by threads of the host's own, since Core starts none.
        // The cluster exists before the store: its rate limits and shared ejections are services the pools and routes use.
        // Read at start only: a reload that changes `cluster:` takes hold at the next restart.
        Cluster = config.Cluster is { } cluster ? new RedisCluster(cluster, TimeProvider.System, loggerFactory) : null;
        var services = new BalancerServices(TimeProvider.System, Random.Shared)
        {
            LoggerFactory = loggerFactory,
            AccessLogWriters = new AccessLogThreads(),
            SharedRateLimits = Cluster?.RateLimits,
            SharedEjections = Cluster?.Ejections,
            GeoDatabases = ConfigFiles.GeoDatabases,
        };
        Store = new TopologyStore(config, services, inheritedState);
        Cluster?.Attach(Store);
        Operations = new BackendOperations(Store, Cluster?.Changes);
        Metrics = new FulcrumMetrics(Store, Cluster);
        TakeoverMetrics.AddTo(Metrics.Meter, inherited, Store);
        _exporter = new PrometheusExporter(Metrics);
        if (configPath is not null)
        {
            Reloader = new ConfigReloader(configPath, Store, loggerFactory.CreateLogger<ConfigReloader>());
        }

        Vrrp = new VrrpStanding(Store, () => _draining, loggerFactory.CreateLogger("Fulcrum.Vrrp"));
        Metrics.Meter.CreateObservableGauge("fulcrum.vrrp.yielding", VrrpYielding, null,
            "1 while the vrrp state file asks keepalived to lower this node (draining, or a pool without a backend up); only with a vrrp section");
        Metrics.Meter.CreateObservableCounter("fulcrum.vrrp.state.changes", VrrpChanges, null, "times the vrrp state file changed value; only with a vrrp section");

        // Planes start in list order. The cluster first, so the shared drains are in force before traffic; health
        // checks next, so backends have a state before traffic; the admin API last, so /healthz answers only once
        // everything serves.
        if (Cluster is not null) _planes.Add(new ClusterPlane(Cluster));
        // Probes of a re-encrypting pool verify the backend's certificate as its traffic does.
        Health = new HealthCheckPlane(Store, loggerFactory) { TlsConnect = ProbeTls.For };
        _planes.Add(new HealthPlane(Health));
        // Before traffic, so the first requests find what the pools' dns:, srv: and file: sources list.
        _planes.Add(new Discovery.DiscoveryPlane(Store,
            Path.GetDirectoryName(Path.GetFullPath(configPath ?? "fulcrum.yaml")) ?? Directory.GetCurrentDirectory(), loggerFactory));
        Tcp = new TcpDataPlane(Store, loggerFactory) { InheritSocket = inherited is null ? null : inherited.ForListener };
        Udp = new UdpDataPlane(Store, loggerFactory) { InheritSocket = inherited is null ? null : inherited.ForListener };
        _planes.Add(new L4Plane(Tcp, Udp));
        Http = new HttpDataPlane(Store, loggerFactory)
        {
            InlineScheduling = EventLoopIo.Enabled,
            InheritSocket = inherited is null ? null : inherited.ForListener,
        };
        _planes.Add(new HttpPlane(Http));
        Dns = new DnsDataPlane(Store, loggerFactory) { InheritSockets = inherited is null ? null : inherited.ForDns };
        _planes.Add(new DnsPlane(Dns));
        if (config.Admin is { } admin)
        {
            var options = new AdminOptions
            {
                Reload = Reloader is null ? null : ReloadFromAdminAsync,
                IsDraining = () => _draining,
                Vrrp = VrrpView,
                Metrics = _exporter.Write,
                ListenerEndpoints = () => BoundEndpoints,
                Operations = Operations,
                Cluster = Cluster,
                InheritSocket = inherited is null ? null : inherited.ForAdmin,
            };
            _admin = new AdminPlane(new AdminServer(Store, admin.Bind, options, loggerFactory));
            _planes.Add(_admin);
        }
    }

    public ILoggerFactory LoggerFactory { get; }

    public TopologyStore Store { get; }

    /// <summary>The runtime operations the admin API runs; with a cluster, each change is shared.</summary>
    public BackendOperations Operations { get; }

    /// <summary>This instance's cluster membership; null without a `cluster:` section.</summary>
    public RedisCluster? Cluster { get; }

    /// <summary>The "Fulcrum" meter (docs/metrics.md), exported at the admin API's GET /metrics.</summary>
    public FulcrumMetrics Metrics { get; }

    public HealthCheckPlane Health { get; }

    public TcpDataPlane Tcp { get; }

    public UdpDataPlane Udp { get; }

    public HttpDataPlane Http { get; }

    /// <summary>The `protocol: dns` listeners (docs/gslb.md).</summary>
    public DnsDataPlane Dns { get; }

    /// <summary>Null when the config did not come from a file.</summary>
    public ConfigReloader? Reloader { get; }

    /// <summary>What this node tells keepalived (the `vrrp:` section's state file and process name).</summary>
    public VrrpStanding Vrrp { get; }

    /// <summary>Raised once, when the drain is asked for (<see cref="BeginDrain"/>).</summary>
    public event Action? DrainBegun;

    public IReadOnlyList<IPlane> Planes => _planes;

    /// <summary>True from the moment <see cref="StopAsync(CancellationToken)"/> begins.</summary>
    public bool IsDraining => _draining;

    /// <summary>Every listener's name (http, tcp, udp and dns) and the address it is bound to: a port 0 in the config becomes the real port.</summary>
    public IReadOnlyDictionary<string, IPEndPoint> BoundEndpoints
    {
        get
        {
            var all = new Dictionary<string, IPEndPoint>(Http.BoundEndpoints, StringComparer.Ordinal);
            foreach (var (name, endpoint) in Tcp.BoundEndpoints) all[name] = endpoint;
            foreach (var (name, endpoint) in Udp.BoundEndpoints) all[name] = endpoint;
            foreach (var (name, endpoint) in Dns.BoundEndpoints) all[name] = endpoint;
            return all;
        }
    }

    /// <summary>Where the admin API listens; null without an `admin:` section or before start.</summary>
    public IPEndPoint? AdminEndpoint => _admin?.Server.BoundEndpoint;

    /// <summary>The admin API; null without an `admin:` section.</summary>
    internal AdminServer? Admin => _admin?.Server;

    /// <summary>Starts every plane; if one fails the ones already started are stopped and the error is rethrown.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default, bool watchConfigFile = true)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            foreach (var plane in _planes)
            {
                await plane.StartAsync(cancellationToken);
                _started.Add(plane);
            }
        }
        catch
        {
            using var now = new CancellationTokenSource();
            await now.CancelAsync();
            await StopStartedAsync(now.Token);
            throw;
        }

        Reloader?.Start(watchConfigFile);
        var topology = Store.Current;
        foreach (var listener in topology.Config.Listeners)
        {
            if (BoundEndpoints.TryGetValue(listener.Name, out var endpoint))
            {
                HostLog.ListenerServing(_log, listener.Name, $"{listener.Protocol.ToString().ToLowerInvariant()}://{endpoint}");
            }
        }

        if (AdminEndpoint is { } adminEndpoint)
        {
            HostLog.AdminServing(_log, $"http://{adminEndpoint}");
        }

        HostLog.IoMode(_log, EventLoopIo.Describe());
        HostLog.Started(_log, topology.Generation, topology.Config.Listeners.Length, topology.Pools.Count);
        // Last: keepalived may count this node as serving only once every listener does.
        Vrrp.Start();
    }

    /// <summary>
    /// The first step of a stop, before any listener closes: /healthz answers 503 and the vrrp state file yields at
    /// once, so keepalived moves the virtual IP and balancers in front stop sending while this node still accepts
    /// (`shutdown.accept-grace`). <see cref="StopAsync(CancellationToken)"/> begins with it when it has not run.
    /// </summary>
    public void BeginDrain()
    {
        if (_draining) return;
        _draining = true;
        Vrrp.Evaluate();
        // Clients reconnect for their next request, to whichever node holds the virtual IP by then. After a takeover
        // the address stays here and the connections close gently instead (HandOverAsync).
        if (!Http.HandedOver) Http.EndKeepAlive();
        DrainBegun?.Invoke();
    }

    /// <summary>
    /// Stops reloading, closes every listener to new work and waits for in-flight work to finish until
    /// <paramref name="drainDeadline"/> fires, after which the planes close what remains. The control
    /// planes (admin, health) stop last, so the admin API reports "draining" meanwhile.
    /// </summary>
    public async Task StopAsync(CancellationToken drainDeadline)
    {
        BeginDrain();
        Reloader?.Dispose();
        await StopStartedAsync(drainDeadline);
        if (drainDeadline.IsCancellationRequested)
        {
            HostLog.DrainDeadlinePassed(_log);
        }

        HostLog.Stopped(_log);
    }

    /// <summary>
    /// Another process took the listening sockets over (docs/ha.md, "Zero-downtime upgrade"): stop as on SIGTERM, except
    /// that the admin API stops at once, since the new process answers it now; http connections close gently (HTTP/1.1
    /// after the next response, HTTP/2 with GOAWAY) rather than idle ones at once; and udp sessions keep carrying their
    /// backends' replies until they go quiet, since the new process reads every new datagram.
    /// </summary>
    public async Task HandOverAsync(CancellationToken drainDeadline)
    {
        // The new process serves and writes the vrrp state file now: this one's drain must not lower the node.
        Vrrp.Dispose();
        Udp.HandedOver = true;
        Http.HandedOver = true;
        if (_admin is not null) await WhenAllTolerantAsync([_admin.StopAsync(drainDeadline)], drainDeadline);
        await StopAsync(drainDeadline);
    }

    public async Task StopAsync(TimeSpan drainTimeout)
    {
        using var deadline = new CancellationTokenSource(drainTimeout);
        await StopAsync(deadline.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        Reloader?.Dispose();
        Vrrp.Dispose();
        for (var i = _planes.Count - 1; i >= 0; i--)
        {
            await _planes[i].DisposeAsync();
        }

        _exporter.Dispose();
        Metrics.Dispose();
        Store.AccessLogs.Dispose();
    }

    private async Task StopStartedAsync(CancellationToken drainDeadline)
    {
        // The traffic planes drain at once under one deadline (as an orchestrator's grace period is one),
        // then the control planes stop in reverse start order.
        var draining = new List<Task>();
        foreach (var plane in _started)
        {
            if (plane.CarriesTraffic) draining.Add(plane.StopAsync(drainDeadline));
        }

        await WhenAllTolerantAsync(draining, drainDeadline);
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            if (!_started[i].CarriesTraffic) await WhenAllTolerantAsync([_started[i].StopAsync(drainDeadline)], drainDeadline);
        }

        _started.Clear();
    }

    private static async Task WhenAllTolerantAsync(List<Task> tasks, CancellationToken drainDeadline)
    {
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (OperationCanceledException) when (drainDeadline.IsCancellationRequested)
        {
            // A plane that gives up at the deadline has closed its connections: that is the stop we asked for.
        }
    }

    private IEnumerable<Measurement<long>> VrrpYielding()
    {
        if (Vrrp.Configured) yield return new Measurement<long>(Vrrp.Yielding ? 1 : 0);
    }

    private IEnumerable<Measurement<long>> VrrpChanges()
    {
        if (Vrrp.Configured) yield return new Measurement<long>(Vrrp.Changes);
    }

    private VrrpView? VrrpView()
    {
        if (Store.Current.Config.Vrrp is not { } vrrp) return null;
        return new VrrpView(
            Vrrp.Yielding ? "yielding" : "serving",
            Vrrp.Reason,
            Vrrp.ProcessNameSet is null ? null : Vrrp.Since,
            vrrp.StateFile,
            vrrp.ProcessName,
            Vrrp.ProcessNameSet is not null,
            [.. vrrp.VirtualIps.Select(v => v.ToString())]);
    }

    private Task<ConfigLoadResult> ReloadFromAdminAsync(CancellationToken cancellationToken) => Task.Run(() =>
    {
        var outcome = Reloader!.Reload(ReloadTrigger.Admin);
        return outcome.Applied
            ? new ConfigLoadResult(Store.Current.Config, [])
            : new ConfigLoadResult(null, outcome.Errors);
    }, cancellationToken);
}
