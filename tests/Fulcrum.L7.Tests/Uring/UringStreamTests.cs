using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.IO.Uring;
using Fulcrum.L7.BackendHttp;
using Fulcrum.L7.Uring;
using Fulcrum.TestSupport;

namespace Fulcrum.L7.Tests.Uring;

/// <summary>
/// The io_uring connection under the backend leg and the own front end: an idle pooled connection's close or stray
/// bytes, seen without a poll, and aborts and timeouts that end pending calls without a hang.
/// </summary>
public sealed class UringStreamTests : IDisposable
{
    private static readonly UringLoops? Loops = UringLoops.Shared(out _);

    private readonly TcpListener _backend = new(IPAddress.Loopback, 0);
    private readonly PoolConnections _connections = new(TimeSpan.FromSeconds(10), tls: null, refuseConnections: false, TimeProvider.System);

    public UringStreamTests() => _backend.Start();

    public void Dispose()
    {
        _connections.Dispose();
        _backend.Stop();
    }

    [Fact]
    public async Task IdlePooledConnection_ClosedByTheBackend_IsNotUsedForTheNextRequest()
    {
        if (Loops is not { } loops) return; // the kernel refuses io_uring: the epoll tests cover this
        var loop = loops.Next();
        var pool = NewPool();
        var (connection, peer) = await ConnectAsync(loop, pool);
        using (peer)
        {
            // A live idle connection is taken again (the check has no false alarm)...
            pool.Return(connection);
            Assert.Same(connection, await OnLoop<BackendConnection?>.RunAsync(loop, () => Task.FromResult(pool.TakeIdle())));

            // ...and once its backend closes it, it is not.
            pool.Return(connection);
            peer.Close();
            await Poll.UntilAsync(connection.HasInputWhileIdle, "the idle connection's receive sees the close");
            Assert.Null(await OnLoop<BackendConnection?>.RunAsync(loop, () => Task.FromResult(pool.TakeIdle())));
            Assert.True(connection.IsDisposed);
            Assert.Equal(0, pool.IdleCount);
        }
    }

    [Fact]
    public async Task UnsolicitedBytesFromAnIdleBackend_MakeItsConnectionUnusable()
    {
        if (Loops is not { } loops) return;
        var loop = loops.Next();
        var pool = NewPool();
        var (connection, peer) = await ConnectAsync(loop, pool);
        using (peer)
        {
            pool.Return(connection);
            // The rest of a body longer than its Content-Length, or an answer nobody asked for.
            peer.Send(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
            await Poll.UntilAsync(connection.HasInputWhileIdle, "the idle connection's receive sees the bytes");
            Assert.Null(await OnLoop<BackendConnection?>.RunAsync(loop, () => Task.FromResult(pool.TakeIdle())));
            Assert.True(connection.IsDisposed);
            await AssertClosedAsync(peer);
        }
    }

    [Fact]
    public async Task Abort_CompletesPendingReadAndWrite_AndClosesTheSocket()
    {
        if (Loops is not { } loops) return;
        var loop = loops.Next();
        var (connection, peer) = await ConnectAsync(loop, NewPool());
        using (peer)
        {
            var stream = Assert.IsType<UringStream>(connection.Stream);
            // A read the backend never answers, and a write larger than both sockets' buffers that it never reads.
            var read = stream.ReadAsync(new byte[100]).AsTask();
            var write = stream.WriteAsync(new byte[32 << 20]).AsTask();
            Assert.False(read.IsCompleted);

            // What a client going away or the request-timeout does to the connection.
            connection.Dispose();

            await Assert.ThrowsAnyAsync<IOException>(() => read.WaitAsync(TimeSpan.FromSeconds(30)));
            await Assert.ThrowsAnyAsync<IOException>(() => write.WaitAsync(TimeSpan.FromSeconds(30)));
            await AssertClosedAsync(peer);
        }
    }

    [Fact]
    public async Task ReadTimingOut_CompletesWithoutClosing_AndTheNextReadGetsTheBytes()
    {
        if (Loops is not { } loops) return;
        var loop = loops.Next();
        var (connection, peer) = await ConnectAsync(loop, NewPool());
        using (peer)
        using (connection)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.Stream.ReadAsync(new byte[10], timeout.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));

            peer.Send("late"u8.ToArray());
            var buffer = new byte[10];
            var read = await connection.Stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("late", Encoding.ASCII.GetString(buffer, 0, read));
        }
    }

    [Fact]
    public async Task ConnectionOpenedOnALoop_RunsOnThatLoop_AndReadsAndWritesCompleteThere()
    {
        if (Loops is not { } loops) return;
        var loop = loops.Next();
        var (connection, peer) = await ConnectAsync(loop, NewPool());
        using (peer)
        using (connection)
        {
            var onLoop = await OnLoop<bool>.RunAsync(loop, async () =>
            {
                await connection.Stream.WriteAsync("ping"u8.ToArray());
                var buffer = new byte[4];
                var got = 0;
                peer.Send("pong"u8.ToArray());
                while (got < 4) got += await connection.Stream.ReadAsync(buffer.AsMemory(got));
                return loop.IsCurrent && Encoding.ASCII.GetString(buffer) == "pong";
            });
            Assert.True(onLoop);
            var received = new byte[4];
            Assert.Equal(4, peer.Receive(received));
            Assert.Equal("ping", Encoding.ASCII.GetString(received));
        }
    }

    private BackendConnectionPool NewPool() => new(_connections, "127.0.0.1", ((IPEndPoint)_backend.LocalEndpoint).Port);

    private async Task<(BackendConnection Connection, Socket Peer)> ConnectAsync(UringLoop loop, BackendConnectionPool pool)
    {
        var accepting = _backend.AcceptSocketAsync();
        var connection = await OnLoop<BackendConnection>.RunAsync(loop, () => pool.ConnectAsync(CancellationToken.None).AsTask());
        Assert.IsType<UringStream>(connection.Stream);
        return (connection, await accepting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    // The peer sees the end of the stream (after whatever was sent before it) within the deadline.
    private static async Task AssertClosedAsync(Socket peer)
    {
        var buffer = new byte[64 * 1024];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            int read;
            try
            {
                read = await peer.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                return;
            }

            if (read == 0) return;
        }
    }
}
