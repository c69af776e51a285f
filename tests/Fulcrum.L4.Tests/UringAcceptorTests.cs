using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.IO.Uring;
using Fulcrum.Core.Model;
using Fulcrum.L4.Tests.Support;

namespace Fulcrum.L4.Tests;

/// <summary>Accepting on the io_uring loops: each connection reaches one loop, on its thread, and a stop lets go of the socket.</summary>
public sealed class UringAcceptorTests
{
    private static readonly UringLoops? Loops = UringLoops.Shared(out _);

    [Fact]
    public async Task EveryConnection_IsHandedOnce_OnTheThreadOfTheLoopThatAcceptedIt()
    {
        if (Loops is not { } loops) return; // the kernel refuses io_uring: the epoll accept loop serves, other tests cover it
        using var listen = Listening();
        var accepted = new ConcurrentQueue<(Socket Socket, bool OnItsLoop)>();
        var acceptor = new UringAcceptor(loops, listen, (loop, socket) => accepted.Enqueue((socket, loop.IsCurrent)));
        acceptor.Start();
        var clients = new List<Socket>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                clients.Add(client);
                await client.ConnectAsync(listen.LocalEndPoint!);
            }

            await Poll.UntilAsync(() => accepted.Count >= 20, "the rings accept all 20 clients");
            await Poll.Within(acceptor.StopAsync());
            Assert.Equal(20, accepted.Count);
            Assert.All(accepted, a => Assert.True(a.OnItsLoop));

            // The accepted sockets are the clients' peers: a byte sent on each arrives on one of them.
            foreach (var client in clients) await client.SendAsync("x"u8.ToArray());
            foreach (var (socket, _) in accepted) Assert.Equal(1, await Poll.Within(socket.ReceiveAsync(new byte[1])));
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
            foreach (var (socket, _) in accepted) socket.Dispose();
        }
    }

    [Fact]
    public async Task Stop_HandsOnClientsStillQueued_InsteadOfLeavingThemInTheBacklog()
    {
        if (Loops is not { } loops) return;
        using var listen = Listening();
        var accepted = new ConcurrentQueue<Socket>();
        // Never started: the clients wait in the backlog, as one does when a ring took the kernel's one wake-up for it
        // and its cancel ran first (then, in a takeover, no other process's ring is woken for it).
        var acceptor = new UringAcceptor(loops, listen, (_, socket) => accepted.Enqueue(socket));
        using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await first.ConnectAsync(listen.LocalEndPoint!);
        await second.ConnectAsync(listen.LocalEndPoint!);
        try
        {
            await Poll.Within(acceptor.StopAsync());
            Assert.Equal(2, accepted.Count);
        }
        finally
        {
            foreach (var socket in accepted) socket.Dispose();
        }
    }

    [Fact]
    public async Task Stop_ThenClose_ClosesTheListeningSocket_NewClientsAreRefused()
    {
        if (Loops is not { } loops) return;
        var listen = Listening();
        var endpoint = (IPEndPoint)listen.LocalEndPoint!;
        var acceptor = new UringAcceptor(loops, listen, (_, socket) => socket.Dispose());
        acceptor.Start();
        await Poll.Within(acceptor.StopAsync());
        listen.Dispose();

        // An armed accept holds the socket in the kernel: had one been left, this connect would land in its backlog.
        using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(() => late.ConnectAsync(endpoint));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task TcpListener_OnIoUring_RelaysThroughTheRings_AndItsStopClosesTheSocket()
    {
        if (Loops is null) return;
        using var backend = TestBackend.Echo();
        var config = new FulcrumConfig { IoEngine = IoEngineChoice.IoUring, Listeners = [L4Harness.Listener()], Pools = [L4Harness.PoolOf("p", backend)] };
        var store = new TopologyStore(config, new BalancerServices(TimeProvider.System, Random.Shared));
        var plane = new TcpDataPlane(store, new CapturingLoggerFactory()) { IoEngineVariable = () => null };
        IPEndPoint endpoint;
        await using (plane)
        {
            await plane.StartAsync(CancellationToken.None);
            Assert.Equal("io_uring", plane.IoEngine);
            endpoint = plane.BoundEndpoints["front"];
            for (var i = 0; i < 5; i++)
            {
                using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await client.ConnectAsync(endpoint);
                await client.SendAsync($"ping {i}\n");
                Assert.Equal($"ping {i}\n", Encoding.ASCII.GetString(await Poll.Within(client.ReadExactlyAsync(7))));
            }
        }

        using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(() => late.ConnectAsync(endpoint));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task RingConnect_ContinuesOnTheLoop_AndARefusalIsASocketException()
    {
        if (Loops is not { } loops) return;
        var loop = loops[0];
        using var listen = Listening();
        var onLoop = await OnLoop<bool>.RunAsync(loop, async () =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await UringConnect.ConnectAsync(loop, socket, (IPEndPoint)listen.LocalEndPoint!, CancellationToken.None);
            return loop.IsCurrent;
        });
        Assert.True(onLoop);

        // A port nobody listens on: the one of a socket bound and closed.
        var closed = Listening();
        var endpoint = (IPEndPoint)closed.LocalEndPoint!;
        closed.Dispose();
        var refused = await Assert.ThrowsAsync<SocketException>(() => OnLoop<bool>.RunAsync(loop, async () =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await UringConnect.ConnectAsync(loop, socket, endpoint, CancellationToken.None);
            return true;
        }));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task RingConnect_ToASilentBackend_EndsCancelledWhenItsTokenFires()
    {
        if (Loops is not { } loops) return;
        var loop = loops[0];
        // A listener that never accepts and whose accept queue is full: the kernel drops further SYNs.
        using var stuck = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        stuck.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        stuck.Listen(0);
        var fillers = new List<Socket>();
        try
        {
            while (fillers.Count < 16)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(s);
                var filling = s.ConnectAsync(stuck.LocalEndPoint!);
                if (await Task.WhenAny(filling, Task.Delay(300)) != filling) break;
            }

            using var cancel = new CancellationTokenSource();
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var connect = OnLoop<bool>.RunAsync(loop, async () =>
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                var pending = UringConnect.ConnectAsync(loop, socket, (IPEndPoint)stuck.LocalEndPoint!, cancel.Token);
                started.SetResult();
                await pending;
                return loop.IsCurrent;
            });
            await Poll.Within(started.Task);
            Assert.False(connect.IsCompleted);
            cancel.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connect);
        }
        finally
        {
            foreach (var s in fillers) s.Dispose();
        }
    }

    private static Socket Listening()
    {
        var listen = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listen.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listen.Listen(64);
        return listen;
    }
}
