using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Observability;
using Fulcrum.L4.Tls;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L4.Tcp;

/// <summary>
/// One tcp listener: a listening socket and its accept loop. Enforces `max-connections`: in queue mode the
/// loop stops accepting while full (new clients wait in the kernel's backlog), in refuse mode it accepts and
/// closes at once. A reload with the same bind swaps <see cref="Config"/> in place.
/// </summary>
internal sealed class TcpListenerLoop : IListenerLoop
{
    private readonly TcpDataPlane _plane;
    private readonly CancellationTokenSource _stop = new();
    private readonly AsyncSignal _slotFreed = new();
    private volatile ListenerConfig _config;
    private volatile SniRouter? _sni;
    private Socket? _socket;
    private int _active;
    private Task _loop = Task.CompletedTask;

    public TcpListenerLoop(TcpDataPlane plane, ListenerConfig config)
    {
        _plane = plane;
        _config = config;
        _sni = config.Sni.IsEmpty ? null : new SniRouter(config.Sni);
        Stats = plane.Store.Listeners.For(config.Name);
        AccessLog = plane.Store.AccessLogs.For(config, plane.Store.Current.Config);
    }

    public ListenerConfig Config => _config;
    /// <summary>This listener's counters (metrics, dashboard).</summary>
    public ListenerStats Stats { get; }
    /// <summary>Where a closed connection's access log line goes; null when none is configured.</summary>
    public AccessLog? AccessLog { get; private set; }
    public SniRouter? Sni => _sni;
    public IPEndPoint? BoundEndpoint { get; private set; }
    public int ActiveConnections => Volatile.Read(ref _active);
    public ILogger Logger => _plane.Logger;

    public void Update(ListenerConfig config)
    {
        _sni = config.Sni.IsEmpty ? null : new SniRouter(config.Sni);
        _config = config;
        AccessLog = _plane.Store.AccessLogs.For(config, _plane.Store.Current.Config);
        _slotFreed.Pulse();
    }

    public IPEndPoint Bind()
    {
        var bind = new IPEndPoint(_config.Bind.Address, _config.Bind.Port);
        var socket = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (bind.AddressFamily == AddressFamily.InterNetworkV6 && bind.Address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
            socket.Bind(bind);
            // The kernel caps the backlog at net.core.somaxconn; ask for plenty so bursts and queue mode wait there.
            socket.Listen(4096);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _socket = socket;
        BoundEndpoint = (IPEndPoint)socket.LocalEndPoint!;
        return BoundEndpoint;
    }

    public void Start() => _loop = AcceptLoopAsync();

    public Task StopAsync()
    {
        _stop.Cancel();
        _socket?.Dispose();
        return _loop;
    }

    public void OnConnectionClosed()
    {
        Interlocked.Decrement(ref _active);
        _slotFreed.Pulse();
    }

    private async Task AcceptLoopAsync()
    {
        var socket = _socket!;
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                var config = _config;
                while (MustQueue(config))
                {
                    // Taken before checking again, so a slot freed (or a reload) before the wait still wakes it.
                    var slotFreed = _slotFreed.Next();
                    config = _config;
                    if (!MustQueue(config)) break;
                    await slotFreed.WaitAsync(token).ConfigureAwait(false);
                    config = _config;
                }

                var client = await socket.AcceptAsync(token).ConfigureAwait(false);
                var active = Interlocked.Increment(ref _active);
                if (config.MaxConnections > 0 && active > config.MaxConnections)
                {
                    Interlocked.Decrement(ref _active);
                    L4Log.Rejected(Logger, config.Name, client.RemoteEndPoint, "max-connections reached");
                    client.Dispose();
                    continue;
                }

                // One async method per connection; it runs inline until its first await, then the loop goes on.
                _ = new TcpConnection(_plane, this, client).RunAsync();
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (ObjectDisposedException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (SocketException e) when (!token.IsCancellationRequested)
            {
                // EMFILE/ENFILE and friends: keep serving, but do not spin on a persistent error.
                L4Log.AcceptFailed(Logger, e, "tcp", _config.Name);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(10), _plane.Time, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            catch (SocketException)
            {
                break;
            }
        }

        L4Log.ListenerStopped(Logger, "tcp", _config.Name);
    }

    // Queue mode while full: stop accepting, so new clients wait in the kernel's backlog.
    private bool MustQueue(ListenerConfig config) =>
        config.MaxConnections > 0 && config.OverLimit == OverLimitAction.Queue && Volatile.Read(ref _active) >= config.MaxConnections;
}
