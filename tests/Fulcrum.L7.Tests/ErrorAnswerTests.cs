using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests;

public sealed class ErrorAnswerTests
{
    [Fact]
    public async Task PoolWithNoUsableBackend_Answers503NamingThePool()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("api")), Pool("api", backends.All)));
        proxy.Pool("api").Backends[0].Intent = OperatorIntent.Maintenance;

        using var response = await proxy.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("no backend available in pool 'api'", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, backends[0].Requests);
    }

    [Fact]
    public async Task BackendRefusingConnections_Answers502_AndRecordsAConnectFailure()
    {
        var closedPort = ClosedPort();
        var pool = new PoolConfig { Name = "api", Backends = [new BackendConfig { Address = $"127.0.0.1:{closedPort}" }] };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("api")), pool));

        using var response = await proxy.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("pool 'api'", await response.Content.ReadAsStringAsync());
        var stats = proxy.Pool("api").Backends[0].Stats;
        Assert.Equal(1, stats.Failures);
        Assert.Equal(0, stats.Active);
    }

    [Fact]
    public async Task BackendSlowerThanRequestTimeout_Answers504()
    {
        await using var backends = await Backends.StartAsync("slow");
        var pool = Pool("api", backends.All) with { RequestTimeout = TimeSpan.FromMilliseconds(300) };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("api")), pool));

        using var response = await proxy.Client.GetAsync("/?delay=20000");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("did not answer in time", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, proxy.Pool("api").Backends[0].Stats.Failures);
    }

    [Fact]
    public async Task BackendNotConnectingWithinConnectTimeout_Answers504()
    {
        // A listening socket that never accepts: once its accept queue is full, Linux drops further SYNs,
        // so a connect hangs just as it does to a host that has gone away.
        using var blackhole = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blackhole.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        blackhole.Listen(1);
        var endpoint = (IPEndPoint)blackhole.LocalEndPoint!;
        var fillers = new List<Socket>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                _ = filler.ConnectAsync(endpoint);
            }

            var pool = new PoolConfig
            {
                Name = "api",
                ConnectTimeout = TimeSpan.FromMilliseconds(300),
                Retries = new RetryConfig { Attempts = 1 },
                Backends = [new BackendConfig { Address = $"127.0.0.1:{endpoint.Port}" }],
            };
            await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("api")), pool));

            using var response = await proxy.Client.GetAsync("/");

            Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
            Assert.Equal(1, proxy.Pool("api").Backends[0].Stats.Failures);
        }
        finally
        {
            foreach (var filler in fillers) filler.Dispose();
        }
    }

    [Fact]
    public async Task BackendAnswering503_IsPassedThrough_AndCountsAsAServerError()
    {
        await using var backends = await Backends.StartAsync("sick");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("api")), Pool("api", backends.All)));

        using var response = await proxy.Client.GetAsync("/?status=503");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("sick", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, proxy.Pool("api").Backends[0].Stats.Failures);
    }

    [Fact]
    public async Task BackendKilledMidRequest_Gives502ToThatRequestOnly()
    {
        await using var backends = await Backends.StartAsync("a", "b", "c");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")), Pool("app", backends.All)));

        // Round-robin puts one held request on each backend.
        var held = Enumerable.Range(0, 3).Select(_ => proxy.Client.GetAsync("/hold")).ToArray();
        await Poll.UntilAsync(() => backends.All.All(b => b.InFlight == 1), "one held request on each backend");

        await backends[1].KillAsync();
        backends[0].ReleaseHeld();
        backends[2].ReleaseHeld();
        var responses = await Task.WhenAll(held);

        var byBackend = new Dictionary<HttpStatusCode, int>();
        foreach (var r in responses) byBackend[r.StatusCode] = byBackend.GetValueOrDefault(r.StatusCode) + 1;
        Assert.Equal(2, byBackend.GetValueOrDefault(HttpStatusCode.OK));
        Assert.Equal(1, byBackend.GetValueOrDefault(HttpStatusCode.BadGateway));
        var killed = proxy.Pool("app").Find("b")!.Stats;
        Assert.Equal(1, killed.Failures);
        Assert.Equal(0, killed.Active);
    }

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
