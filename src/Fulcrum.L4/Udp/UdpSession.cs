using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Model;
using Fulcrum.Core.Observability;

namespace Fulcrum.L4.Udp;

/// <summary>
/// One client address and the connected upstream socket that speaks to its backend for it. Replies on
/// the upstream socket go back to exactly this client. The lease is held for the session's life.
/// </summary>
internal sealed class UdpSession
{
    private readonly UdpListenerLoop _listener;
    private readonly Socket _upstream;
    private readonly TimeProvider _time;
    private long _lastActivity;
    private long _bytesToBackend;
    private long _bytesFromBackend;
    private long _datagramsToBackend;
    private long _datagramsFromBackend;
    private long _firstReply;
    private readonly long _started;
    private readonly long _picked;
    private long _reportedToBackend;
    private long _reportedFromBackend;
    private long _drainingSince;
    private int _closed;
    private Outcome _outcome = Outcome.Success;

    /// <param name="started">When the first datagram arrived; <paramref name="picked"/>: when the backend was chosen (timestamps of <paramref name="time"/>).</param>
    public UdpSession(UdpListenerLoop listener, TimeProvider time, SocketAddress client, IPEndPoint clientEndpoint, Pool pool, Lease lease,
        Socket upstream, long started, long picked)
    {
        _listener = listener;
        _time = time;
        _lastActivity = picked;
        Client = client;
        ClientEndpoint = clientEndpoint;
        _started = started;
        _picked = picked;
        Pool = pool;
        Lease = lease;
        _upstream = upstream;
    }

    public SocketAddress Client { get; }
    /// <summary>The client as an address and port, for the access log.</summary>
    public IPEndPoint ClientEndpoint { get; }
    public Pool Pool { get; }
    public Lease Lease { get; }
    public long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>Idle past the timeout at <paramref name="now"/>, with no reply waiting unread (see <see cref="IsIdle(TimeSpan, TimeSpan, Socket)"/>).</summary>
    public bool IsIdle(long now, TimeSpan timeout) => IsIdle(_time.GetElapsedTime(LastActivity, now), timeout, _upstream);

    /// <summary>
    /// Idle: <paramref name="quiet"/> (the time since the last datagram either way) longer than <paramref name="timeout"/>,
    /// and no datagram waiting in the upstream socket. A reply the backend sent in time but this process has not read
    /// yet (a busy CPU, a long pause) is activity: closing the session then would drop that reply.
    /// </summary>
    internal static bool IsIdle(TimeSpan quiet, TimeSpan timeout, Socket upstream)
    {
        if (quiet <= timeout) return false;
        try
        {
            return upstream.Available == 0;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    public void Start() => _ = ReplyLoopAsync();

    public async ValueTask ForwardAsync(ReadOnlyMemory<byte> datagram)
    {
        Volatile.Write(ref _lastActivity, _time.GetTimestamp());
        Interlocked.Add(ref _bytesToBackend, datagram.Length);
        Interlocked.Increment(ref _datagramsToBackend);
        try
        {
            await _upstream.SendAsync(datagram, SocketFlags.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Close(Outcome.ConnectFailure);
        }
    }

    /// <summary>Sweeper: in-flight bytes to the backend's stats, and the drain-timeout of a draining backend.</summary>
    public bool ShouldDrainClose(long now, Topology topology)
    {
        Report(final: false);
        var backend = Lease.Backend;
        var stays = topology.Pools.TryGetValue(Pool.Name, out var current) && ReferenceEquals(current.Find(backend.Id), backend);
        if (stays && backend.Intent == OperatorIntent.Active)
        {
            _drainingSince = 0;
            return false;
        }

        if (_drainingSince == 0) _drainingSince = now;
        return _time.GetElapsedTime(_drainingSince, now) >= (current ?? Pool).Config.DrainTimeout;
    }

    /// <summary>Ends the session once: the socket closes (ending the reply loop) and the lease is released.</summary>
    public void Close(Outcome outcome)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        if (_outcome == Outcome.Success) _outcome = outcome;
        _upstream.Dispose();
        _listener.OnSessionClosed(this);
        var (up, down) = Report(final: true);
        Lease.Release(_outcome, up, down);
        _listener.Stats.SessionClosed();
        if (_listener.AccessLog is { } log && log.Sampled()) log.Write(LogEntry());
    }

    // One line per session, made when it ends (idle timeout, drain, error or shutdown).
    private AccessLogEntry LogEntry()
    {
        var firstReply = Volatile.Read(ref _firstReply);
        return new AccessLogEntry
        {
            Time = _time.GetUtcNow(),
            Listener = _listener.Config.Name,
            Protocol = "udp",
            Client = ClientEndpoint.Address,
            ClientPort = ClientEndpoint.Port,
            Pool = Pool.Name,
            Backend = Lease.Backend.Id,
            BytesIn = Volatile.Read(ref _bytesToBackend),
            BytesOut = Volatile.Read(ref _bytesFromBackend),
            DatagramsIn = Volatile.Read(ref _datagramsToBackend),
            DatagramsOut = Volatile.Read(ref _datagramsFromBackend),
            WaitMs = Ms(_started, _picked),
            ConnectMs = -1,
            FirstByteMs = firstReply == 0 ? -1 : Ms(_started, firstReply),
            TotalMs = Ms(_started, _time.GetTimestamp()),
            Outcome = OutcomeNames.Of(_outcome),
        };
    }

    private double Ms(long from, long to) => _time.GetElapsedTime(from, to).TotalMilliseconds;

    // A peek for zero bytes waits for a datagram without taking it, so an idle session holds no buffer.
    private async Task ReplyLoopAsync()
    {
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                await _upstream.ReceiveAsync(Memory<byte>.Empty, SocketFlags.Peek).ConfigureAwait(false);
                buffer = ArrayPool<byte>.Shared.Rent(UdpListenerLoop.MaxReply);
                var n = await _upstream.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                var now = _time.GetTimestamp();
                Volatile.Write(ref _lastActivity, now);
                Interlocked.Add(ref _bytesFromBackend, n);
                Interlocked.Increment(ref _datagramsFromBackend);
                if (_firstReply == 0) Volatile.Write(ref _firstReply, now);
                await _listener.ReplyAsync(buffer.AsMemory(0, n), Client).ConfigureAwait(false);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            // ICMP port unreachable: the backend is not listening; passive health should hear of it.
            Close(Outcome.ConnectFailure);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Close(Outcome.Success);
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private (long Up, long Down) Report(bool final)
    {
        lock (this)
        {
            var up = Volatile.Read(ref _bytesToBackend) - _reportedToBackend;
            var down = Volatile.Read(ref _bytesFromBackend) - _reportedFromBackend;
            _reportedToBackend += up;
            _reportedFromBackend += down;
            if (!final && (up | down) != 0) Lease.Backend.Stats.AddBytes(up, down, _time);
            return (up, down);
        }
    }
}
