using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.BackendLeg;

/// <summary>The lean leg's keep-alive connections: reuse, a backend closing idle ones, and closing them on reload.</summary>
public sealed class ConnectionTests
{
    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    [Fact]
    public async Task ManyRequests_TravelOverFewBackendConnections()
    {
        await using var backend = RawBackend.KeepAlive(_ => Ok);
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("raw")), backend.Pool("raw")));

        for (var i = 0; i < 50; i++) Assert.Equal("ok", await proxy.Client.GetStringAsync("/"));
        Assert.Equal(1, backend.Accepted);

        // Four clients at once need at most four connections, whatever the interleaving.
        var clients = Enumerable.Range(0, 4).Select(_ => proxy.CreateClient()).ToArray();
        await Task.WhenAll(clients.Select(async client =>
        {
            for (var i = 0; i < 25; i++) Assert.Equal("ok", await client.GetStringAsync("/"));
        }));
        Assert.InRange(backend.Accepted, 1, 5);
    }

    [Theory]
    [InlineData(false, "GET")]
    [InlineData(true, "GET")]
    [InlineData(false, "POST")]
    public async Task BackendClosingIdleConnections_NeverReachesTheClient(bool reset, string method)
    {
        // Answers one request per connection without saying so, then closes: every reuse meets a dead connection.
        await using var backend = RawBackend.Start(async connection =>
        {
            await connection.ReadRequestAsync();
            await connection.WriteAsync(Ok);
            if (reset) connection.Reset();
        });
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("raw")), backend.Pool("raw")));

        for (var i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), "/") { Content = method == "POST" ? new StringContent("small body") : null };
            using var response = await proxy.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(0, proxy.Pool("raw").Backends[0].Stats.Failures);
    }

    [Fact]
    public async Task BackendLeavingThePool_HasItsIdleConnectionsClosed()
    {
        await using var leaving = RawBackend.KeepAlive(_ => Ok);
        await using var staying = RawBackend.KeepAlive(_ => Ok);
        var pool = new PoolConfig
        {
            Name = "raw",
            Backends = [new BackendConfig { Address = leaving.Address }, new BackendConfig { Address = staying.Address }],
        };
        var config = Of(Web(ToPool("raw")), pool);
        await using var proxy = await ProxyHarness.StartAsync(config);
        for (var i = 0; i < 4; i++) await proxy.Client.GetStringAsync("/");
        Assert.Equal(1, leaving.Accepted);

        proxy.Store.Apply(config with { Pools = [pool with { Backends = [pool.Backends[1]] }] });

        await Poll.UntilAsync(() => leaving.ClosedByPeer == 1, "the departed backend's idle connection to close");
        Assert.Equal(0, staying.ClosedByPeer);
        Assert.Equal("ok", await proxy.Client.GetStringAsync("/"));
    }

    [Fact]
    public async Task PoolWithNewConnectionSettings_ClosesTheOldIdleConnections()
    {
        await using var backend = RawBackend.KeepAlive(_ => Ok);
        var config = Of(Web(ToPool("raw")), backend.Pool("raw"));
        await using var proxy = await ProxyHarness.StartAsync(config);
        await proxy.Client.GetStringAsync("/");

        proxy.Store.Apply(config with { Pools = [config.Pools[0] with { ConnectTimeout = TimeSpan.FromSeconds(2) }] });

        await Poll.UntilAsync(() => backend.ClosedByPeer == 1, "the replaced pool's idle connection to close");
        Assert.Equal("ok", await proxy.Client.GetStringAsync("/"));
        Assert.Equal(2, backend.Accepted);
    }

    [Fact]
    public async Task KeepAliveMaxIdleZero_ClosesEachConnectionAfterItsRequest()
    {
        await using var backend = RawBackend.KeepAlive(_ => Ok);
        var pool = backend.Pool("raw") with { KeepAlive = new KeepAliveConfig { MaxIdle = 0 } };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("raw")), pool));

        for (var i = 0; i < 5; i++) Assert.Equal("ok", await proxy.Client.GetStringAsync("/"));

        Assert.Equal(5, backend.Accepted);
        await Poll.UntilAsync(() => backend.ClosedByPeer == 5, "the proxy to close every backend connection");
    }

    [Fact]
    public async Task KeepAliveIdleTimeout_ClosesAnIdleConnection_AndTheNextRequestOpensANewOne()
    {
        await using var backend = RawBackend.KeepAlive(_ => Ok);
        // Long enough that the two requests below always share the connection on a busy machine.
        var pool = backend.Pool("raw") with { KeepAlive = new KeepAliveConfig { IdleTimeout = TimeSpan.FromSeconds(2) } };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("raw")), pool));

        Assert.Equal("ok", await proxy.Client.GetStringAsync("/"));
        Assert.Equal("ok", await proxy.Client.GetStringAsync("/"));
        Assert.Equal(1, backend.Accepted);

        // Fulcrum, not the backend, closes the connection once it has been idle for the idle-timeout.
        await Poll.UntilAsync(() => backend.ClosedByPeer == 1, "the proxy to close the idle backend connection");
        Assert.Equal("ok", await proxy.Client.GetStringAsync("/"));
        Assert.Equal(2, backend.Accepted);
    }
}
