using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.IO.Uring;
using Fulcrum.L4.Tls;
using Fulcrum.L4.Uring;

namespace Fulcrum.L4.Tcp;

/// <summary>
/// One tcp listener: a listening socket and its accept loop. Enforces `max-connections`: in queue mode the
/// loop stops accepting while full (new clients wait in the kernel's backlog), in refuse mode it accepts and
/// closes at once. A reload with the same bind swaps <see cref="ListenerLoop.Config"/> in place. With the io_uring
/// engine the rings accept (<see cref="UringAcceptor"/>) and each connection starts on the ring that took it, except in
/// queue mode: a multishot accept takes every client it can, where queue mode must leave them in the backlog.
/// </summary>
internal sealed class TcpListenerLoop : ListenerLoop
{
    private readonly TcpDataPlane _plane;
    private readonly AsyncSignal _slotFreed = new();
    private readonly AsyncSignal _updated = new();
    private volatile SniRouter? _sni;
    private volatile TcpGateCounters? _gateCounters;
    private int _active;

    public TcpListenerLoop(TcpDataPlane plane, ListenerConfig config)
        : base(plane.Store, config, plane.Logger, plane.InheritSocket)
    {
        _plane = plane;
        _sni = config.Sni.IsEmpty ? null : new SniRouter(config.Sni);
    }

    public override string Protocol => "tcp";
    public SniRouter? Sni => _sni;

    /// <summary>This listener's circuit-breaker counters, made when a pool with a breaker first sees a connection of it.</summary>
    public TcpGateCounters GateCounters => _gateCounters ??= new TcpGateCounters(_plane.Store.Protection, Config.Name);

    public override void Update(ListenerConfig config)
    {
        _sni = config.Sni.IsEmpty ? null : new SniRouter(config.Sni);
        base.Update(config);
        _slotFreed.Pulse(); // a raised max-connections may let a queued accept go on
        _updated.Pulse(); // queue mode on or off moves accepting between the rings and this loop
    }

    public void OnConnectionClosed()
    {
        Interlocked.Decrement(ref _active);
        _slotFreed.Pulse();
    }

    protected override Socket CreateSocket(AddressFamily family)
    {
        var socket = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
        // A restart or a reload that moves a listener back may rebind while old connections sit in TIME_WAIT.
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        return socket;
    }

    protected override void OnBound(Socket socket)
    {
        // Accepted sockets inherit TCP_NODELAY from the listening one (Linux copies the option into each new
        // connection), which saves a setsockopt per connection; set here, after the bind, so an inherited socket has it too.
        socket.NoDelay = true;
        // The kernel caps the backlog at net.core.somaxconn; ask for plenty so bursts and queue mode wait there. An
        // inherited socket listens already: listen(2) again only sets its backlog.
        socket.Listen(4096);
    }

    protected override async Task RunAsync(Socket socket, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            if (_plane.PumpEngine is UringEngine uring && !QueueMode(Config))
            {
                await AcceptOnRingsAsync(uring.Loops, socket, token).ConfigureAwait(false);
                continue;
            }

            try
            {
                var config = Config;
                while (MustQueue(config))
                {
                    // Taken before checking again, so a slot freed (or a reload) before the wait still wakes it.
                    var slotFreed = _slotFreed.Next();
                    config = Config;
                    if (!MustQueue(config)) break;
                    await slotFreed.WaitAsync(token).ConfigureAwait(false);
                    config = Config;
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
                _ = new TcpConnection(_plane, this, PeerSocket.Of(client)).RunAsync();
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
                L4Log.AcceptFailed(Logger, e, Protocol, Config.Name);
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
    }

    // Queue mode while full: stop accepting, so new clients wait in the kernel's backlog.
    private bool MustQueue(ListenerConfig config) => QueueMode(config) && Volatile.Read(ref _active) >= config.MaxConnections;

    private static bool QueueMode(ListenerConfig config) => config.MaxConnections > 0 && config.OverLimit == OverLimitAction.Queue;

    /// <summary>Until stopped, or until a reload turns queue mode on.</summary>
    private async Task AcceptOnRingsAsync(UringLoops loops, Socket socket, CancellationToken token)
    {
        var acceptor = new UringAcceptor(loops, socket, Accepted, errno => L4Log.RingAcceptFailed(Logger, Config.Name, errno), _plane.Time);
        acceptor.Start();
        // Runs inside the stop's Cancel, so the rings stop accepting at once; they hold a descriptor of their own, so the
        // stop may close the listener's socket without waiting for them.
        using (token.UnsafeRegister(static a => ((UringAcceptor)a!).StopAsync(), acceptor))
        {
            while (!token.IsCancellationRequested)
            {
                var updated = _updated.Next();
                if (QueueMode(Config)) break;
                try
                {
                    await updated.WaitAsync(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await acceptor.StopAsync().ConfigureAwait(false);
    }

    // On the ring that accepted: the connection runs there until its first wait, and its relay stays there.
    private void Accepted(UringLoop loop, int fd)
    {
        var config = Config;
        var active = Interlocked.Increment(ref _active);
        if (config.MaxConnections > 0 && active > config.MaxConnections)
        {
            Interlocked.Decrement(ref _active);
            L4Log.Rejected(Logger, config.Name, SockAddr.Peer(fd), "max-connections reached");
            loop.Close(fd);
            return;
        }

        _ = new TcpConnection(_plane, this, PeerSocket.Bare(fd), loop).RunAsync();
    }
}
