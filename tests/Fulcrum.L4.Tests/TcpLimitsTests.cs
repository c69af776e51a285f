using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.L4.Tests.Support;

namespace Fulcrum.L4.Tests;

public sealed class TcpLimitsTests
{
    [Fact]
    public async Task ConnectRefused_RetriesTheNextBackend_AndReleasesConnectFailure()
    {
        var deadPort = FreePort();
        using var good = TestBackend.Named("good");
        var pool = new PoolConfig
        {
            Name = "p",
            Backends = [new BackendConfig { Address = $"127.0.0.1:{deadPort}" }, new BackendConfig { Address = good.Address }],
        };
        await using var lb = await L4Harness.StartAsync(L4Harness.Listener(), pool);

        for (var i = 0; i < 4; i++)
        {
            using var c = await lb.ConnectAsync();
            Assert.Equal("good", await Poll.Within(TcpRelayTests.ReadNameAsync(c)));
        }

        Assert.True(lb.Pool().Backends[0].Stats.Failures >= 1);
    }

    [Fact]
    public async Task ConnectTimeout_GivesUpOnASilentBackend_AndTriesAnother()
    {
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
                var connect = s.ConnectAsync(stuck.LocalEndPoint!);
                if (await Task.WhenAny(connect, Task.Delay(300)) != connect) break;
            }

            using var good = TestBackend.Named("good");
            var clock = new ManualTimeProvider();
            var pool = new PoolConfig
            {
                Name = "p",
                ConnectTimeout = TimeSpan.FromSeconds(5),
                Backends = [new BackendConfig { Address = $"127.0.0.1:{((IPEndPoint)stuck.LocalEndPoint!).Port}" }, new BackendConfig { Address = good.Address }],
            };
            await using var lb = await L4Harness.StartAsync(clock, L4Harness.Listener(), pool);
            var timers = clock.TimerCount;
            using var c = await lb.ConnectAsync();
            await Poll.UntilAsync(() => clock.TimerCount > timers, "the connect to the silent backend to arm its timeout");

            clock.Advance(pool.ConnectTimeout - TimeSpan.FromTicks(1));
            Assert.Equal(0, lb.Pool().Backends[0].Stats.Failures); // still waiting for the silent one
            clock.Advance(TimeSpan.FromTicks(1));

            Assert.Equal("good", await Poll.Within(TcpRelayTests.ReadNameAsync(c)));
            Assert.Equal(1, lb.Pool().Backends[0].Stats.Failures);
        }
        finally
        {
            foreach (var s in fillers) s.Dispose();
        }
    }

    [Fact]
    public async Task IdleTimeout_ClosesASilentConnection_AtTheFirstSweepPastIt_AndReleasesItsLease()
    {
        using var backend = TestBackend.Echo();
        var clock = new ManualTimeProvider();
        var listener = L4Harness.Listener() with { IdleTimeout = TimeSpan.FromSeconds(10) };
        await using var lb = await L4Harness.StartAsync(clock, listener, L4Harness.PoolOf("p", backend));
        using var c = await lb.ConnectAsync();
        await c.SendAsync("x");
        await c.ReadExactlyAsync(1);

        clock.Advance(listener.IdleTimeout); // silent for exactly the timeout: not past it
        await c.SendAsync("y");
        Assert.Equal("y", Encoding.ASCII.GetString(await Poll.Within(c.ReadExactlyAsync(1))));

        clock.Advance(listener.IdleTimeout + TcpDataPlane.SweepInterval);
        Assert.True(await Poll.Within(c.IsClosedAsync()));
        await Poll.UntilAsync(() => lb.Pool().Backends[0].Stats.Active == 0, "lease released");
    }

    [Fact]
    public async Task TotalTimeout_ClosesEvenABusyConnection()
    {
        using var backend = TestBackend.Echo();
        var clock = new ManualTimeProvider();
        var listener = L4Harness.Listener() with { TotalTimeout = TimeSpan.FromSeconds(10) };
        await using var lb = await L4Harness.StartAsync(clock, listener, L4Harness.PoolOf("p", backend));
        using var c = await lb.ConnectAndWaitForAcceptAsync();

        // Busy all along: a ping every second, each answered, up to exactly the total timeout.
        for (var second = 0; second < 10; second++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await c.SendAsync("ping");
            Assert.Equal("ping", Encoding.ASCII.GetString(await Poll.Within(c.ReadExactlyAsync(4))));
        }

        clock.Advance(TcpDataPlane.SweepInterval);
        Assert.True(await Poll.Within(c.IsClosedAsync()));
    }

    [Fact]
    public async Task ListenerMaxConnections_Refuse_ClosesTheExtraConnection()
    {
        using var backend = TestBackend.Hold();
        var listener = L4Harness.Listener() with { MaxConnections = 2, OverLimit = OverLimitAction.Refuse };
        await using var lb = await L4Harness.StartAsync(listener, L4Harness.PoolOf("p", backend));
        using var a = await lb.ConnectAsync();
        using var b = await lb.ConnectAsync();
        await Poll.UntilAsync(() => backend.Open == 2, "two connections proxied");

        using var c = await lb.ConnectAsync();

        Assert.True(await Poll.Within(c.IsClosedAsync()));
        Assert.Equal(2, backend.Accepted);
    }

    [Fact]
    public async Task ListenerMaxConnections_Queue_ServesTheExtraConnectionWhenASlotFrees()
    {
        using var backend = TestBackend.Named("b");
        var listener = L4Harness.Listener() with { MaxConnections = 1, OverLimit = OverLimitAction.Queue };
        await using var lb = await L4Harness.StartAsync(listener, L4Harness.PoolOf("p", backend));
        var first = await lb.ConnectAsync();
        Assert.Equal("b", await TcpRelayTests.ReadNameAsync(first));

        using var second = await lb.ConnectAsync(); // completes in the kernel backlog
        var name = TcpRelayTests.ReadNameAsync(second);
        Assert.Equal(1, backend.Accepted);
        first.Dispose();

        Assert.Equal("b", await Poll.Within(name));
        Assert.Equal(2, backend.Accepted);
    }

    [Fact]
    public async Task BackendMaxConnections_Queue_WaitsForAFreeSlot()
    {
        using var backend = TestBackend.Named("b");
        // On a manual clock the queue-timeout cannot pass: only the freed slot lets the second connection on.
        var pool = L4Harness.PoolOf("p", backend) with { BackendMaxConnections = 1 };
        await using var lb = await L4Harness.StartAsync(new ManualTimeProvider(), L4Harness.Listener(), pool);
        var first = await lb.ConnectAsync();
        Assert.Equal("b", await TcpRelayTests.ReadNameAsync(first));

        using var second = await lb.ConnectAsync();
        var name = TcpRelayTests.ReadNameAsync(second);
        Assert.Equal(1, backend.Accepted);
        first.Dispose();

        Assert.Equal("b", await Poll.Within(name));
        Assert.Equal(1, lb.Pool().Backends[0].Stats.Active);
    }

    [Fact]
    public async Task BackendMaxConnections_Refuse_ClosesWhenEveryBackendIsFull()
    {
        using var backend = TestBackend.Named("b");
        var pool = L4Harness.PoolOf("p", backend) with { BackendMaxConnections = 1, OverLimit = OverLimitAction.Refuse };
        await using var lb = await L4Harness.StartAsync(L4Harness.Listener(), pool);
        using var first = await lb.ConnectAsync();
        Assert.Equal("b", await TcpRelayTests.ReadNameAsync(first));

        using var second = await lb.ConnectAsync();

        Assert.True(await Poll.Within(second.IsClosedAsync()));
        Assert.Equal(1, backend.Accepted);
    }

    [Fact]
    public async Task Drain_KeepsOpenConnectionsUntilDrainTimeout_AndSendsNoNewOnes()
    {
        using var b1 = TestBackend.Named("b1");
        using var b2 = TestBackend.Named("b2");
        var clock = new ManualTimeProvider();
        var pool = L4Harness.PoolOf("p", b1, b2) with { DrainTimeout = TimeSpan.FromSeconds(30) };
        await using var lb = await L4Harness.StartAsync(clock, L4Harness.Listener(), pool);
        using var old = await lb.ConnectAsync();
        Assert.Equal("b1", await TcpRelayTests.ReadNameAsync(old));

        lb.Pool().Backends[0].Intent = OperatorIntent.Draining;
        clock.Advance(TcpDataPlane.SweepInterval); // the sweep that first sees the drain starts its clock

        for (var i = 0; i < 3; i++)
        {
            using var c = await lb.ConnectAsync();
            Assert.Equal("b2", await Poll.Within(TcpRelayTests.ReadNameAsync(c)));
        }

        clock.Advance(pool.DrainTimeout - TcpDataPlane.SweepInterval); // one sweep short of the drain-timeout
        await old.SendAsync("still\n");
        Assert.Equal("still\n", Encoding.ASCII.GetString(await Poll.Within(old.ReadExactlyAsync(6))));

        clock.Advance(TcpDataPlane.SweepInterval);
        Assert.True(await Poll.Within(old.IsClosedAsync()));
        await Poll.UntilAsync(() => lb.Pool().Backends[0].Stats.Active == 0, "drained");
    }

    [Fact]
    public async Task Reload_AddsAndRemovesListeners()
    {
        using var backend = TestBackend.Named("b");
        var pool = L4Harness.PoolOf("p", backend);
        await using var lb = await L4Harness.StartAsync(L4Harness.Listener(), pool);
        var extra = L4Harness.Listener() with { Name = "extra" };

        lb.Store.Apply(new FulcrumConfig { Listeners = [L4Harness.Listener(), extra], Pools = [pool] });
        var endpoint = lb.Plane.BoundEndpoints["extra"];
        using (var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await c.ConnectAsync(endpoint);
            Assert.Equal("b", await Poll.Within(TcpRelayTests.ReadNameAsync(c)));
        }

        lb.Store.Apply(new FulcrumConfig { Listeners = [L4Harness.Listener()], Pools = [pool] });
        Assert.False(lb.Plane.BoundEndpoints.ContainsKey("extra"));
        await Poll.UntilAsync(() => !CanConnect(endpoint), "removed listener closed");
    }

    private static bool CanConnect(IPEndPoint endpoint)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            s.Connect(endpoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }
}
