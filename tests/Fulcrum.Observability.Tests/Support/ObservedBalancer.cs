using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.Demo;
using Fulcrum.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.Observability.Tests.Support;

/// <summary>A balancer in this process with demo backends b1..bN behind one http listener "web", pool "app", and an admin API.</summary>
public sealed class ObservedBalancer : IAsyncDisposable
{
    private ObservedBalancer(DemoBackend[] backends, BalancerHost host)
    {
        Backends = backends;
        Host = host;
        Client = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(10) }) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public DemoBackend[] Backends { get; }
    public BalancerHost Host { get; }
    public HttpClient Client { get; }
    public Uri Web => new($"http://{Host.BoundEndpoints["web"]}/");
    public Uri Admin => new($"http://{Host.AdminEndpoint}/");

    public static async Task<ObservedBalancer> StartAsync(int backends, Func<FulcrumConfig, FulcrumConfig>? edit = null, HealthConfig? health = null)
    {
        var all = new DemoBackend[backends];
        for (var i = 0; i < backends; i++) all[i] = await DemoBackend.StartAsync($"b{i + 1}");
        var pool = new PoolConfig
        {
            Name = "app",
            Algorithm = "round-robin",
            Backends = [.. all.Select(b => new BackendConfig { Name = b.Name, Address = b.Address })],
        };
        if (health is not null) pool = pool with { Health = health };
        var config = new FulcrumConfig
        {
            Admin = new AdminConfig { Bind = new BindAddress(IPAddress.Loopback, 0) },
            Listeners = [new ListenerConfig { Name = "web", Bind = new BindAddress(IPAddress.Loopback, 0), Routes = [new RouteConfig { Name = "all", Pool = "app" }] }],
            Pools = [pool],
        };
        if (edit is not null) config = edit(config);
        var host = new BalancerHost(config, NullLoggerFactory.Instance);
        await host.StartAsync();
        return new ObservedBalancer(all, host);
    }

    public async Task<HttpStatusCode> GetAsync(string pathAndQuery = "")
    {
        using var response = await Client.GetAsync(new Uri(Web, pathAndQuery));
        await response.Content.ReadAsStringAsync();
        return response.StatusCode;
    }

    public async Task<string> MetricsAsync() => await Client.GetStringAsync(new Uri(Admin, "metrics"));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.StopAsync(TimeSpan.FromSeconds(5));
        await Host.DisposeAsync();
        foreach (var b in Backends) await b.DisposeAsync();
    }
}
