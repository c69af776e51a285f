using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.Core.Observability;

namespace Fulcrum.L4.Udp;

/// <summary>
/// One udp listener: a socket that receives every client's datagrams, and a session table from client
/// address to <see cref="UdpSession"/> (an upstream socket to one backend). The receive loop allocates
/// nothing per datagram: one buffer, one reused <see cref="SocketAddress"/> as the lookup key.
/// </summary>
internal sealed class UdpListenerLoop : ListenerLoop
{
    /// <summary>The largest datagram a socket can deliver; anything above max-datagram-size is dropped.</summary>
    public const int MaxReply = 65_536;

    /// <summary>
    /// After a takeover a session here only waits for replies to what it forwarded (the client's next datagrams go to
    /// the new process), so it ends once quiet this long, or its session-timeout if that is shorter.
    /// </summary>
    public static readonly TimeSpan HandedOverQuiet = TimeSpan.FromSeconds(5);

    private readonly UdpDataPlane _plane;
    private readonly ConcurrentDictionary<SocketAddress, UdpSession> _sessions = new();
    private readonly LogThrottle _noBackendWarnings;
    private Socket? _socket;
    private volatile bool _keepSessions;

    public UdpListenerLoop(UdpDataPlane plane, ListenerConfig config)
        : base(plane.Store, config, plane.Logger, plane.InheritSocket)
    {
        _plane = plane;
        _noBackendWarnings = new LogThrottle(plane.Time);
        Stats.CountDatagrams(); // sessions count as connections, datagrams as themselves
    }

    public override string Protocol => "udp";
    public UdpListenerCounters Counters { get; } = new();

    /// <summary>Sessions open now.</summary>
    public int SessionCount => _sessions.Count;

    /// <summary>
    /// Another process took the listening socket over: stop reading it, so every datagram from now on goes there, but
    /// keep the socket and the sessions, whose backends' replies still reach their clients through it until the sessions
    /// go idle (docs/ha.md, "Zero-downtime upgrade").
    /// </summary>
    public Task StopReceivingAsync()
    {
        _keepSessions = true;
        return StopLoopAsync();
    }

    public void CloseSessions()
    {
        foreach (var (_, session) in _sessions) session.Close(Outcome.Success);
    }

    public ValueTask<int> ReplyAsync(ReadOnlyMemory<byte> datagram, SocketAddress client)
    {
        Interlocked.Increment(ref Counters.RepliedDatagrams);
        Stats.DatagramSent(datagram.Length);
        return _socket!.SendToAsync(datagram, SocketFlags.None, client);
    }

    public void OnSessionClosed(UdpSession session)
    {
        if (_sessions.TryRemove(new KeyValuePair<SocketAddress, UdpSession>(session.Client, session)))
        {
            Interlocked.Decrement(ref Counters.ActiveSessions);
            _plane.OnSessionClosed();
        }
    }

    public void Sweep(long now, Topology topology)
    {
        var timeout = _keepSessions && HandedOverQuiet < Config.SessionTimeout ? HandedOverQuiet : Config.SessionTimeout;
        foreach (var (_, session) in _sessions)
        {
            if (session.IsIdle(now, timeout))
            {
                Interlocked.Increment(ref Counters.SessionsExpired);
                session.Close(Outcome.Success);
            }
            else if (session.ShouldDrainClose(now, topology))
            {
                session.Close(Outcome.Success);
            }
        }
    }

    protected override Socket CreateSocket(AddressFamily family) => new(family, SocketType.Dgram, ProtocolType.Udp);

    // Ends by closing every session: once the loop has stopped no new one can open, so none is left behind. After a
    // takeover the sessions stay (StopReceivingAsync); the plane closes them.
    protected override async Task RunAsync(Socket socket, CancellationToken token)
    {
        _socket = socket;
        var buffer = GC.AllocateUninitializedArray<byte>(MaxReply, pinned: true);
        var address = new SocketAddress(socket.AddressFamily);
        while (!token.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await socket.ReceiveFromAsync(buffer, SocketFlags.None, address, token).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.MessageSize)
            {
                Interlocked.Increment(ref Counters.DroppedOversized);
                continue;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset && !token.IsCancellationRequested)
            {
                continue; // an ICMP error for an earlier reply; nothing to do with this listener
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                break;
            }

            var config = Config;
            Stats.DatagramReceived(n);
            if (n == 0)
            {
                Interlocked.Increment(ref Counters.DroppedMalformed);
                continue;
            }

            if (n > config.MaxDatagramSize)
            {
                Interlocked.Increment(ref Counters.DroppedOversized);
                continue;
            }

            if (!_sessions.TryGetValue(address, out var session))
            {
                session = await OpenSessionAsync(address, config).ConfigureAwait(false);
                if (session is null) continue;
            }

            Interlocked.Increment(ref Counters.ForwardedDatagrams);
            await session.ForwardAsync(buffer.AsMemory(0, n)).ConfigureAwait(false);
        }

        if (!_keepSessions) CloseSessions();
    }

    private async ValueTask<UdpSession?> OpenSessionAsync(SocketAddress address, ListenerConfig config)
    {
        if (Volatile.Read(ref Counters.ActiveSessions) >= config.MaxSessions)
        {
            Interlocked.Increment(ref Counters.DroppedSessionLimit);
            return null;
        }

        if (config.Pool is null || !_plane.Store.Current.Pools.TryGetValue(config.Pool, out var pool))
        {
            Interlocked.Increment(ref Counters.DroppedNoBackend);
            return null;
        }

        var started = _plane.Time.GetTimestamp();
        var client = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(address);
        if (!pool.TryAcquire(SourceHash.Of(pool, client), out var lease))
        {
            Interlocked.Increment(ref Counters.DroppedNoBackend);
            if (_noBackendWarnings.Allow()) L4Log.UdpNoBackend(Logger, config.Name, pool.Name);
            return null;
        }

        var picked = _plane.Time.GetTimestamp();
        Socket? upstream = null;
        try
        {
            var endpoint = await _plane.Endpoints.ResolveAsync(lease.Backend, CancellationToken.None).ConfigureAwait(false);
            upstream = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            upstream.Connect(endpoint); // fixes the peer: only this backend's replies arrive here
        }
        catch (SocketException)
        {
            upstream?.Dispose();
            lease.Release(Outcome.ConnectFailure);
            Interlocked.Increment(ref Counters.DroppedNoBackend);
            return null;
        }

        var key = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(key.Buffer.Span);
        var session = new UdpSession(this, _plane.Time, key, client, pool, lease, upstream, started, picked);
        _sessions[key] = session;
        Interlocked.Increment(ref Counters.ActiveSessions);
        Interlocked.Increment(ref Counters.SessionsCreated);
        Stats.ConnectionOpened();
        session.Start();
        return session;
    }
}
