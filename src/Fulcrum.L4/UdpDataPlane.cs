using System.Net;
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
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMilliseconds(250);

    private readonly object _gate = new();
    private readonly Dictionary<string, UdpListenerLoop> _listeners = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private volatile UdpListenerLoop[] _running = [];
    private Task _sweeper = Task.CompletedTask;
    private bool _started;

    public UdpDataPlane(TopologyStore store, ILoggerFactory loggerFactory)
    {
        Store = store;
        LoggerFactory = loggerFactory;
        Logger = loggerFactory.CreateLogger<UdpDataPlane>();
    }

    public TopologyStore Store { get; }
    public ILoggerFactory LoggerFactory { get; }
    internal ILogger Logger { get; }
    internal BackendEndpoints Endpoints { get; } = new();

    /// <summary>Listener name to the address it is bound to (port 0 in config becomes the real port).</summary>
    public IReadOnlyDictionary<string, IPEndPoint> BoundEndpoints { get; private set; } = new Dictionary<string, IPEndPoint>();

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
            _sweeper = SweepLoopAsync();
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops receiving and ends every session (UDP has no in-flight work to wait for).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        UdpListenerLoop[] loops;
        lock (_gate)
        {
            Store.Applied -= OnApplied;
            loops = [.. _listeners.Values];
            _listeners.Clear();
            _running = [];
            BoundEndpoints = new Dictionary<string, IPEndPoint>();
        }

        foreach (var loop in loops)
        {
            await loop.StopAsync().ConfigureAwait(false);
            loop.CloseAll();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Cancel();
        try
        {
            await _sweeper.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
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
        var wanted = new Dictionary<string, ListenerConfig>(StringComparer.Ordinal);
        foreach (var l in topology.Config.Listeners)
        {
            if (l.Protocol == ListenerProtocol.Udp) wanted[l.Name] = l;
        }

        foreach (var name in _listeners.Keys.ToArray())
        {
            var running = _listeners[name];
            if (!wanted.TryGetValue(name, out var config) || config.Bind != running.Config.Bind)
            {
                _ = running.StopAsync();
                running.CloseAll();
                _listeners.Remove(name);
            }
        }

        var bound = new Dictionary<string, IPEndPoint>(StringComparer.Ordinal);
        foreach (var (name, config) in wanted)
        {
            if (_listeners.TryGetValue(name, out var running))
            {
                running.Update(config);
                bound[name] = running.BoundEndpoint!;
                continue;
            }

            var loop = new UdpListenerLoop(this, config);
            try
            {
                bound[name] = loop.Bind();
            }
            catch (System.Net.Sockets.SocketException e)
            {
                L4Log.BindFailed(Logger, e, "udp", name, config.Bind.ToString());
                continue;
            }

            _listeners[name] = loop;
            loop.Start();
            L4Log.ListenerBound(Logger, "udp", name, bound[name]);
        }

        BoundEndpoints = bound;
        Counters = _listeners.ToDictionary(kv => kv.Key, kv => kv.Value.Counters, StringComparer.Ordinal);
        _running = [.. _listeners.Values];
    }

    private async Task SweepLoopAsync()
    {
        using var timer = new PeriodicTimer(SweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                var now = Environment.TickCount64;
                var topology = Store.Current;
                foreach (var loop in _running) loop.Sweep(now, topology);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
