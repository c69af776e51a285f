using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Demo;
using Fulcrum.Hosting;
using Fulcrum.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.Tests.Hosting;

public sealed class BalancerHostTests
{
    private static FulcrumConfig Config(DemoBackend backend, int listenerPort = 0) => new()
    {
        Admin = new AdminConfig { Bind = new BindAddress(IPAddress.Loopback, 0) },
        Listeners = [new ListenerConfig { Name = "web", Bind = new BindAddress(IPAddress.Loopback, listenerPort), Routes = [new RouteConfig { Pool = "app" }] }],
        Pools = [new PoolConfig { Name = "app", Backends = [new BackendConfig { Name = backend.Name, Address = backend.Address }] }],
    };

    [Fact]
    public async Task Stop_DrainsTrafficFirst_WhileTheAdminApiAnswersDraining()
    {
        await using var backends = await Backends.StartAsync(1);
        await using var host = new BalancerHost(Config(backends[0]), NullLoggerFactory.Instance);
        await host.StartAsync();
        var url = new Uri($"http://{host.BoundEndpoints["web"]}/?delay=5000");
        var healthz = new Uri($"http://{host.AdminEndpoint}/healthz");
        using var client = TestHttp.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await TestHttp.GetAsync(client, healthz)).Status);
        var slow = TestHttp.GetAsync(client, url);
        await WaitUntilAsync(() => backends[0].ActiveRequests == 1);

        var stopping = host.StopAsync(TimeSpan.FromSeconds(30));

        // The admin API is still up while the slow request drains, and says so.
        using var admin = TestHttp.CreateClient();
        var (status, body) = await TestHttp.GetAsync(admin, healthz);
        Assert.False(slow.IsCompleted, "the slow request finished before /healthz was asked; the test proved nothing");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("draining", body, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "b1"), await slow);
        await stopping;
        Assert.True(host.IsDraining);
    }

    [Fact]
    public async Task Start_WhenAListenerCannotBind_Throws_AndStopsWhatHadStarted()
    {
        await using var backends = await Backends.StartAsync(1);
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        await using var host = new BalancerHost(Config(backends[0], ((IPEndPoint)occupier.LocalEndpoint).Port), NullLoggerFactory.Instance);

        await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Null(host.AdminEndpoint);
        Assert.Empty(host.BoundEndpoints);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < FulcrumProcess.DefaultTimeout, "timed out");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task HealthProbes_OfHttpsPools_OpenTlsAsTheDataPlaneDoes()
    {
        // The probes' TLS comes from the L7 plane's settings (tests/Fulcrum.L7.Tests ProbeTlsTests shows what that
        // verifies); without this wiring they would accept any certificate.
        await using var backends = await Backends.StartAsync(1);
        await using var host = new BalancerHost(Config(backends[0]), NullLoggerFactory.Instance);

        Assert.Equal(new Func<Fulcrum.Core.Model.Topology, PoolConfig, Func<DnsEndPoint, CancellationToken, ValueTask<Stream>>?>(Fulcrum.L7.Tls.ProbeTls.For), host.Health.TlsConnect);
    }
}
