using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.L4.Tests.Support;

namespace Fulcrum.L4.Tests;

/// <summary>
/// connect-retries go to another backend. Found by the chaos soak (bench/soak): a killed backend of a least-connections
/// pool has the fewest connections, so asking the balancer again picked it for every retry and new connections
/// failed while other backends were up, until passive health ejected it.
/// </summary>
public sealed class TcpConnectRetryTests
{
    [Fact]
    public async Task ConnectRefused_InALeastConnectionsPool_RetriesAnotherBackend_NotTheDeadOneAgain()
    {
        using var good = TestBackend.Named("good");
        var pool = new PoolConfig
        {
            Name = "p",
            Algorithm = BalancerNames.LeastConnections,
            Backends = [new BackendConfig { Address = $"127.0.0.1:{ClosedPort()}" }, new BackendConfig { Address = good.Address }],
        };
        await using var lb = await L4Harness.StartAsync(L4Harness.Listener(), pool);

        // One connection held open on the good backend: from now on the dead one has the fewest connections.
        using var held = await lb.ConnectAsync();
        Assert.Equal("good", await Poll.Within(TcpRelayTests.ReadNameAsync(held)));
        await Poll.UntilAsync(() => lb.Pool().Backends[1].Stats.Active == 1, "the held connection counted on the good backend");

        // Fewer connect failures than passive health's consecutive-failures (5) in all, so the dead backend stays in
        // the pool and only the retry rule can route around it.
        using var next = await lb.ConnectAsync();
        Assert.Equal("good", await Poll.Within(TcpRelayTests.ReadNameAsync(next)));
        Assert.Equal(HealthStatus.Up, lb.Pool().Backends[0].Health);
    }

    private static int ClosedPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }
}
