using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Dns;

/// <summary>
/// Every `protocol: dns` listener of the current topology: authoritative answers for the configured names from the
/// usable backends of their pools (docs/gslb.md). A plane beside L4 and L7 that only reads Core: the health plane
/// checks the pools' backends like any others, and an answer reads their state at the moment of the query.
/// Follows the topology store: a listener that keeps its bind takes the new zone in place, one that left or moved stops,
/// a new one binds; one that cannot bind is logged and left out, as in the L4 plane.
/// </summary>
public sealed class DnsDataPlane : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, DnsListener> _listeners = new(StringComparer.Ordinal);
    private bool _started;

    public DnsDataPlane(TopologyStore store, ILoggerFactory loggerFactory)
    {
        Store = store;
        Logger = loggerFactory.CreateLogger<DnsDataPlane>();
    }

    public TopologyStore Store { get; }
    internal ILogger Logger { get; }
    internal TimeProvider Time => Store.Services.Time;
    internal Random Random => Store.Services.Random;

    /// <summary>
    /// The udp and tcp sockets a listener takes over from the process this one replaces (docs/ha.md, "Zero-downtime
    /// upgrade") instead of binding its own; null for none. Asked once per listener, when it starts.
    /// </summary>
    public Func<ListenerConfig, (Socket Udp, Socket Tcp)?>? InheritSockets { get; init; }

    /// <summary>Every running listener's config and its two sockets, for a process that takes over from this one.</summary>
    public IReadOnlyList<(ListenerConfig Listener, Socket Udp, Socket Tcp)> ListeningSockets
    {
        get
        {
            lock (_gate) return [.. _listeners.Values.Where(l => l.Sockets is not null).Select(l => (l.Config, l.Sockets!.Value.Udp, l.Sockets!.Value.Tcp))];
        }
    }

    /// <summary>Listener name to the address it is bound to, udp and tcp alike (port 0 in config becomes the real port).</summary>
    public IReadOnlyDictionary<string, IPEndPoint> BoundEndpoints { get; private set; } = new Dictionary<string, IPEndPoint>();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_started) return Task.CompletedTask;
            _started = true;
            // At start a listener that cannot bind fails the start, as a taken port fails `fulcrum run`; on a reload it is left out.
            Sync(Store.Current, throwOnBindFailure: true);
            Store.Applied += OnApplied;
        }

        return Task.CompletedTask;
    }

    /// <summary>Stops every listener: a dns query has no in-flight work worth a drain, so nothing is waited for.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        DnsListener[] listeners;
        lock (_gate)
        {
            Store.Applied -= OnApplied;
            _started = false;
            listeners = [.. _listeners.Values];
            _listeners.Clear();
            BoundEndpoints = new Dictionary<string, IPEndPoint>();
        }

        foreach (var listener in listeners) listener.Stop();
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    private void OnApplied(Topology old, Topology next)
    {
        lock (_gate)
        {
            if (_started) Sync(next, throwOnBindFailure: false);
        }
    }

    // Caller holds _gate.
    private void Sync(Topology topology, bool throwOnBindFailure)
    {
        var wanted = new Dictionary<string, ListenerConfig>(StringComparer.Ordinal);
        foreach (var listener in topology.Config.Listeners)
        {
            if (listener.Protocol == ListenerProtocol.Dns) wanted[listener.Name] = listener;
        }

        foreach (var (name, running) in _listeners.ToArray())
        {
            if (wanted.TryGetValue(name, out var config) && config.Bind == running.Config.Bind) continue;
            running.Stop();
            _listeners.Remove(name);
        }

        var bound = new Dictionary<string, IPEndPoint>(StringComparer.Ordinal);
        foreach (var (name, config) in wanted)
        {
            if (_listeners.TryGetValue(name, out var running))
            {
                running.Update(config, topology);
            }
            else
            {
                running = new DnsListener(this, config, topology);
                try
                {
                    var endpoint = running.Start(InheritSockets?.Invoke(config));
                    DnsLog.ListenerBound(Logger, name, endpoint);
                }
                catch (SocketException e)
                {
                    DnsLog.BindFailed(Logger, e, name, config.Bind.ToString());
                    if (throwOnBindFailure)
                    {
                        foreach (var started in _listeners.Values) started.Stop();
                        _listeners.Clear();
                        throw;
                    }

                    continue;
                }

                _listeners[name] = running;
            }

            bound[name] = running.BoundEndpoint!;
        }

        BoundEndpoints = bound;
    }
}
