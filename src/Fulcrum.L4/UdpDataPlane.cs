using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.L4.Udp;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L4;

/// <summary>
/// Every `udp` listener of the current topology: datagrams from each client address go over one session
/// (an upstream socket to one backend of the listener's pool) and replies come back to that client.
/// Follows the topology store like <see cref="TcpDataPlane"/>; one sweeper expires idle sessions.
/// </summary>
public sealed class UdpDataPlane : IAsyncDisposable
{
    /// <summary>How often the sweeper looks at every session: a session expires at most this late.</summary>
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(250);

    private readonly object _gate = new();
    private readonly Dictionary<string, UdpListenerLoop> _listeners = new(StringComparer.Ordinal);
    private readonly AsyncSignal _sessionClosed = new();
    private volatile UdpListenerLoop[] _running = [];
    private Sweeper? _sweeper;
    private bool _started;

    public UdpDataPlane(TopologyStore store, ILoggerFactory loggerFactory)
    {
        Store = store;
        LoggerFactory = loggerFactory;
        Logger = loggerFactory.CreateLogger<UdpDataPlane>();
        Endpoints = new BackendEndpoints(Time);
    }

    public TopologyStore Store { get; }
    public ILoggerFactory LoggerFactory { get; }
    internal ILogger Logger { get; }
    /// <summary>Every timer and timestamp of the plane: the store's clock, so a test can drive it.</summary>
    internal TimeProvider Time => Store.Services.Time;
    internal BackendEndpoints Endpoints { get; }

    /// <summary>Listener name to the address it is bound to (port 0 in config becomes the real port).</summary>
    public IReadOnlyDictionary<string, IPEndPoint> BoundEndpoints { get; private set; } = new Dictionary<string, IPEndPoint>();

    /// <summary>As <see cref="TcpDataPlane.InheritSocket"/>.</summary>
    public Func<ListenerConfig, Socket?>? InheritSocket { get; init; }

    /// <summary>
    /// Set when another process has taken the listening sockets over: <see cref="StopAsync"/> then stops reading them
    /// at once but lets open sessions carry their backends' replies until they go idle or the drain deadline comes,
    /// instead of ending them (docs/ha.md, "Zero-downtime upgrade").
    /// </summary>
    public bool HandedOver { get; set; }

    /// <summary>Every running listener's config and listening socket, for a process that takes over from this one.</summary>
    public IReadOnlyList<(ListenerConfig Listener, Socket Socket)> ListeningSockets
    {
        get
        {
            lock (_gate) return ListenerReconciler.Sockets(_listeners);
        }
    }

    /// <summary>Listener name to its datagram and session counters.</summary>
    public IReadOnlyDictionary<string, UdpListenerCounters> Counters { get; private set; } = new Dictionary<string, UdpListenerCounters>();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_started) return Task.CompletedTask;
            _started = true;
            Sync(Store.Current);
            Store.Applied += OnApplied;
            _sweeper = new Sweeper(Time, SweepInterval, Sweep);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops receiving and ends every session (UDP has no in-flight work to wait for), unless
    /// <see cref="HandedOver"/> says another process took over: then sessions end as they go idle, or when
    /// <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        UdpListenerLoop[] loops;
        lock (_gate)
        {
            Store.Applied -= OnApplied;
            loops = [.. _listeners.Values];
            _listeners.Clear();
            BoundEndpoints = new Dictionary<string, IPEndPoint>();
            if (!HandedOver) _running = [];
        }

        if (HandedOver)
        {
            foreach (var loop in loops) await loop.StopReceivingAsync().ConfigureAwait(false);
            await WaitForSessionsAsync(loops, cancellationToken).ConfigureAwait(false);
            _running = [];
            foreach (var loop in loops) loop.CloseSessions();
        }

        // Each loop closes its sessions as it ends.
        foreach (var loop in loops) await loop.StopAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(new CancellationToken(canceled: true)).ConfigureAwait(false);
        if (_sweeper is not null) await _sweeper.DisposeAsync().ConfigureAwait(false);
    }

    internal void OnSessionClosed() => _sessionClosed.Pulse();

    // The sweeper still walks these loops, so idle sessions end on their session-timeout as usual.
    private async Task WaitForSessionsAsync(UdpListenerLoop[] loops, CancellationToken deadline)
    {
        try
        {
            while (true)
            {
                var closed = _sessionClosed.Next();
                if (Array.TrueForAll(loops, l => l.SessionCount == 0)) return;
                await closed.WaitAsync(deadline).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The drain deadline: the sessions left are closed by the caller.
        }
    }

    private void OnApplied(Topology old, Topology next)
    {
        lock (_gate)
        {
            if (_started) Sync(next);
        }
    }

    // Reconciles the running listeners with the topology's udp listeners. Caller holds _gate.
    private void Sync(Topology topology)
    {
        BoundEndpoints = ListenerReconciler.Reconcile(_listeners, topology, ListenerProtocol.Udp, config => new UdpListenerLoop(this, config), Logger);
        Counters = _listeners.ToDictionary(kv => kv.Key, kv => kv.Value.Counters, StringComparer.Ordinal);
        _running = [.. _listeners.Values];
    }

    private void Sweep(long now)
    {
        var topology = Store.Current;
        foreach (var loop in _running) loop.Sweep(now, topology);
    }
}
