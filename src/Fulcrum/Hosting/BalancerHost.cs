using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.L4;
using Fulcrum.L7;
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
    private readonly ILogger _log;
    private bool _disposed;

    /// <param name="config">A validated config.</param>
    /// <param name="loggerFactory">Where every plane logs.</param>
    /// <param name="configPath">The file <paramref name="config"/> came from; null when it did not come from a file (the demo), which means no reloads.</param>
    public BalancerHost(FulcrumConfig config, ILoggerFactory loggerFactory, string? configPath = null)
    {
        LoggerFactory = loggerFactory;
        _log = loggerFactory.CreateLogger<BalancerHost>();
        Store = new TopologyStore(config);

        // Order matters: planes start in list order and stop in reverse. Health checkers (Fulcrum.Health)
        // belong first, so backends have a state before traffic; the L4 data plane (Fulcrum.L4) next to
        // Http; the admin API (Fulcrum.Admin) last, so /healthz answers only once everything serves.
        Http = new HttpDataPlane(Store, loggerFactory);
        _planes.Add(new HttpPlane(Http));
        Tcp = new TcpDataPlane(Store, loggerFactory);
        Udp = new UdpDataPlane(Store, loggerFactory);
        _planes.Add(new L4Plane(Tcp, Udp));

        if (configPath is not null)
        {
            Reloader = new ConfigReloader(configPath, Store, loggerFactory.CreateLogger<ConfigReloader>());
        }
    }

    public ILoggerFactory LoggerFactory { get; }

    public TopologyStore Store { get; }

    public HttpDataPlane Http { get; }

    public TcpDataPlane Tcp { get; }

    public UdpDataPlane Udp { get; }

    /// <summary>Null when the config did not come from a file.</summary>
    public ConfigReloader? Reloader { get; }

    public IReadOnlyList<IPlane> Planes => _planes;

    /// <summary>Every listener's name and the address it is bound to (a port 0 in the config becomes the real port).</summary>
    public IReadOnlyDictionary<string, IPEndPoint> BoundEndpoints
    {
        get
        {
            var all = new Dictionary<string, IPEndPoint>(Http.BoundEndpoints, StringComparer.Ordinal);
            foreach (var (name, endpoint) in Tcp.BoundEndpoints) all[name] = endpoint;
            foreach (var (name, endpoint) in Udp.BoundEndpoints) all[name] = endpoint;
            return all;
        }
    }

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
            now.Cancel();
            await StopStartedAsync(now.Token);
            throw;
        }

        var topology = Store.Current;
        foreach (var (name, endpoint) in BoundEndpoints)
        {
            HostLog.ListenerServing(_log, name, Url(name, endpoint));
        }

        HostLog.Started(_log, topology.Generation, topology.Config.Listeners.Length, topology.Pools.Count);
        Reloader?.Start(watchConfigFile);
    }

    /// <summary>
    /// Stops reloading, closes every listener to new work and waits for in-flight work to finish until
    /// <paramref name="drainDeadline"/> fires, after which the planes close what remains.
    /// </summary>
    public async Task StopAsync(CancellationToken drainDeadline)
    {
        Reloader?.Dispose();
        await StopStartedAsync(drainDeadline);
        if (drainDeadline.IsCancellationRequested)
        {
            HostLog.DrainDeadlinePassed(_log);
        }

        HostLog.Stopped(_log);
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
        for (var i = _planes.Count - 1; i >= 0; i--)
        {
            await _planes[i].DisposeAsync();
        }
    }

    private async Task StopStartedAsync(CancellationToken drainDeadline)
    {
        // All planes drain at once: one deadline for the whole process, as an orchestrator's grace period is.
        var stopping = new Task[_started.Count];
        for (var i = 0; i < stopping.Length; i++)
        {
            stopping[i] = _started[_started.Count - 1 - i].StopAsync(drainDeadline);
        }

        _started.Clear();
        try
        {
            await Task.WhenAll(stopping);
        }
        catch (OperationCanceledException) when (drainDeadline.IsCancellationRequested)
        {
            // A plane that gives up at the deadline has closed its connections: that is the stop we asked for.
        }
    }

    private string Url(string listener, IPEndPoint endpoint)
    {
        var scheme = "http";
        foreach (var config in Store.Current.Config.Listeners)
        {
            if (config.Name == listener)
            {
                scheme = config.Protocol.ToString().ToLowerInvariant();
            }
        }

        return $"{scheme}://{endpoint}";
    }
}
