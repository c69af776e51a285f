using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests;

public sealed class ReloadTests
{
    [Fact]
    public async Task Reload_ChangesRouting_WithNoFailedRequests()
    {
        await using var backends = await Backends.StartAsync("old", "new");
        var before = Of(Web(ToPool("app")), Pool("app", backends[0]));
        var after = Of(Web(ToPool("app")), Pool("app", backends[1]));
        await using var proxy = await ProxyHarness.StartAsync(before);

        var failures = 0;
        var seenNew = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var clients = Enumerable.Range(0, 4).Select(_ => proxy.CreateClient()).ToArray();
        var load = clients.Select(client => Task.Run(async () =>
        {
            for (var i = 0; i < 2000 && !stop.IsCancellationRequested && Volatile.Read(ref seenNew) < 200; i++)
            {
                using var response = await client.GetAsync("/", stop.Token);
                if (response.StatusCode != HttpStatusCode.OK) { Interlocked.Increment(ref failures); Console.WriteLine($"FAIL {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}"); }
                else if (await response.Content.ReadAsStringAsync(stop.Token) == "new") Interlocked.Increment(ref seenNew);
            }
        })).ToArray();

        await Poll.UntilAsync(() => backends[0].Requests >= 50, "traffic on the old backend");
        proxy.Store.Apply(after);
        Assert.Equal("new", await proxy.Client.GetStringAsync("/"));
        await Task.WhenAll(load);

        Assert.Equal(0, failures);
        Assert.True(seenNew > 0);
    }

    [Fact]
    public async Task Reload_RequestOnTheOldRoutes_FollowsItsPoolIntoTheNewGeneration()
    {
        await using var backends = await Backends.StartAsync("old", "new");
        var store = new Fulcrum.Core.Model.TopologyStore(Of(Web(ToPool("app")), Pool("app", backends[0])));
        string? answer = null;
        HttpClient? client = null;
        // Runs inside Apply after the store retired "old" but before the data plane swapped its routes:
        // exactly the window a request on the old routes can hit.
        store.Applied += (_, _) => answer = client!.GetStringAsync("/").GetAwaiter().GetResult();
        await using var proxy = await ProxyHarness.StartAsync(store);
        client = proxy.CreateClient();
        var held = proxy.Client.GetAsync("/hold"); // keeps "old" busy, so the reload drains it instead of dropping it
        await Poll.UntilAsync(() => backends[0].InFlight == 1, "a request held by the old backend");

        store.Apply(Of(Web(ToPool("app")), Pool("app", backends[1])));

        Assert.Equal("new", answer);
        backends[0].ReleaseHeld();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
    }

    [Fact]
    public async Task Reload_KeepsThePoolsConnections_UntilItsConnectionSettingsChange()
    {
        await using var backends = await Backends.StartAsync("a");
        var config = Of(Web(ToPool("app")), Pool("app", backends.All));
        await using var proxy = await ProxyHarness.StartAsync(config);
        async Task<int> BackendSidePortAsync() => TestBackend.Echo.Parse(await proxy.Client.GetStringAsync("/echo")).ClientPort;
        var first = await BackendSidePortAsync();

        proxy.Store.Apply(config with { Listeners = [Web(Respond("x", new() { PathPrefix = "/x" }), ToPool("app"))] });
        Assert.Equal(first, await BackendSidePortAsync()); // same client, same warm connection

        proxy.Store.Apply(config with { Pools = [config.Pools[0] with { ConnectTimeout = TimeSpan.FromSeconds(2) }] });
        Assert.NotEqual(first, await BackendSidePortAsync()); // new settings, new client, new connection
    }

    [Fact]
    public async Task Reload_AddsAndRemovesListeners()
    {
        var first = Of(Web(Respond("web")));
        var second = first with
        {
            Listeners = [new ListenerConfig { Name = "admin-site", Bind = new BindAddress(IPAddress.Loopback, 0), Routes = [Respond("admin")] }],
        };
        await using var proxy = await ProxyHarness.StartAsync(first);
        var webPort = proxy.Plane.BoundEndpoints["web"].Port;

        proxy.Store.Apply(second);
        await Poll.UntilAsync(() => proxy.Plane.BoundEndpoints.ContainsKey("admin-site") && !proxy.Plane.BoundEndpoints.ContainsKey("web"), "listeners to follow the reload");

        Assert.Equal("admin", await proxy.CreateClient("admin-site").GetStringAsync("/"));
        using var refused = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await Assert.ThrowsAsync<HttpRequestException>(() => refused.GetAsync($"http://127.0.0.1:{webPort}/"));
    }

    [Fact]
    public async Task Reload_KeepsBackendCountersOfBackendsThatStay()
    {
        await using var backends = await Backends.StartAsync("a", "b");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")), Pool("app", backends[0])));
        for (var i = 0; i < 5; i++) await proxy.Client.GetStringAsync("/");

        proxy.Store.Apply(Of(Web(ToPool("app")), Pool("app", backends[0], backends[1])));

        Assert.Equal(5, proxy.Pool("app").Find("a")!.Stats.Total);
    }
}
