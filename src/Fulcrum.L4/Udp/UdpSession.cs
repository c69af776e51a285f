using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Model;

namespace Fulcrum.L4.Udp;

/// <summary>
/// One client address and the connected upstream socket that speaks to its backend for it. Replies on
/// the upstream socket go back to exactly this client. The lease is held for the session's life.
/// </summary>
internal sealed class UdpSession
{
    private readonly UdpListenerLoop _listener;
    private readonly Socket _upstream;
    private long _lastActivity = Environment.TickCount64;
    private long _bytesToBackend;
    private long _bytesFromBackend;
    private long _reportedToBackend;
    private long _reportedFromBackend;
    private long _drainingSince;
    private int _closed;
    private Outcome _outcome = Outcome.Success;

    public UdpSession(UdpListenerLoop listener, SocketAddress client, Pool pool, Lease lease, Socket upstream)
    {
        _listener = listener;
        Client = client;
        Pool = pool;
        Lease = lease;
        _upstream = upstream;
    }

    public SocketAddress Client { get; }
    public Pool Pool { get; }
    public Lease Lease { get; }
    public long LastActivity => Volatile.Read(ref _lastActivity);

    public void Start() => _ = ReplyLoopAsync();

    public async ValueTask ForwardAsync(ReadOnlyMemory<byte> datagram)
    {
        Volatile.Write(ref _lastActivity, Environment.TickCount64);
        Interlocked.Add(ref _bytesToBackend, datagram.Length);
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
        return now - _drainingSince >= (long)(current ?? Pool).Config.DrainTimeout.TotalMilliseconds;
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
    }

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
                Volatile.Write(ref _lastActivity, Environment.TickCount64);
                Interlocked.Add(ref _bytesFromBackend, n);
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
            if (!final && (up | down) != 0) Lease.Backend.Stats.AddBytes(up, down, Pool.Services.Time);
            return (up, down);
        }
    }
}
