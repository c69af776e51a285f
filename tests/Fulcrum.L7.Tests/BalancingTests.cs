using System.Net;
using Fulcrum.Core.Model;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests;

public sealed class BalancingTests
{
    [Fact]
    public async Task RoundRobin_300RequestsOver3Backends_GivesExactly100Each()
    {
        await using var backends = await Backends.StartAsync("a", "b", "c");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")), Pool("app", backends.All)));

        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 300; i++)
        {
            var name = await proxy.Client.GetStringAsync("/");
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }

        Assert.Equal(100, counts["a"]);
        Assert.Equal(100, counts["b"]);
        Assert.Equal(100, counts["c"]);
        Assert.All(backends.All, b => Assert.Equal(100, proxy.Pool("app").Find(b.Name)!.Stats.Total));
    }

    [Fact]
    public async Task WeightedRoundRobin_5To3To2_Over1000Requests_GivesExactly500_300_200()
    {
        await using var backends = await Backends.StartAsync("a", "b", "c");
        var pool = Weighted("app", "weighted-round-robin", (backends[0], 5), (backends[1], 3), (backends[2], 2));
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")), pool));

        for (var i = 0; i < 1000; i++) await proxy.Client.GetStringAsync("/");

        Assert.Equal(500, backends[0].Requests);
        Assert.Equal(300, backends[1].Requests);
        Assert.Equal(200, backends[2].Requests);
    }

    [Fact]
    public async Task LeastConnections_WhileOneBackendHolds10SlowRequests_QuickRequestsAvoidIt()
    {
        await using var backends = await Backends.StartAsync("busy", "b", "c");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")), Pool("app", "least-connections", backends.All)));
        var pool = proxy.Pool("app");

        // Steer the slow requests onto "busy" by taking the others out while they are sent.
        pool.Find("b")!.Intent = OperatorIntent.Maintenance;
        pool.Find("c")!.Intent = OperatorIntent.Maintenance;
        var slow = Enumerable.Range(0, 10).Select(_ => proxy.Client.GetStringAsync("/hold")).ToArray();
        await Poll.UntilAsync(() => backends[0].InFlight == 10, "10 slow requests held by 'busy'");
        pool.Find("b")!.Intent = OperatorIntent.Active;
        pool.Find("c")!.Intent = OperatorIntent.Active;
        Assert.Equal(10, pool.Find("busy")!.Stats.Active);

        for (var i = 0; i < 20; i++) Assert.NotEqual("busy", await proxy.Client.GetStringAsync("/"));

        Assert.Equal(10, backends[0].Requests);
        Assert.Equal(20, backends[1].Requests + backends[2].Requests);
        backends[0].ReleaseHeld();
        Assert.All(await Task.WhenAll(slow), body => Assert.Equal("busy", body));
        Assert.Equal(0, pool.Find("busy")!.Stats.Active);
    }

    [Fact]
    public async Task IpHash_KeepsEachClientOnOneBackend_AcrossAReloadThatKeepsTheBackends()
    {
        await using var backends = await Backends.StartAsync("a", "b", "c");
        var config = Of(Web(ToPool("app")), Pool("app", "ip-hash", backends.All));
        await using var proxy = await ProxyHarness.StartAsync(config);
        var clients = Enumerable.Range(2, 8).Select(i => proxy.CreateClient(source: IPAddress.Parse($"127.0.0.{i}"))).ToArray();

        var before = new string[clients.Length];
        for (var c = 0; c < clients.Length; c++)
        {
            before[c] = await clients[c].GetStringAsync("/");
            for (var i = 0; i < 4; i++) Assert.Equal(before[c], await clients[c].GetStringAsync("/"));
        }

        // A reload that changes other things (a new route, a timeout) but keeps the backends.
        proxy.Store.Apply(config with
        {
            Listeners = [Web(Respond("extra", new() { PathPrefix = "/extra" }), ToPool("app"))],
            Pools = [config.Pools[0] with { RequestTimeout = TimeSpan.FromSeconds(30) }],
        });

        for (var c = 0; c < clients.Length; c++)
        {
            for (var i = 0; i < 5; i++) Assert.Equal(before[c], await clients[c].GetStringAsync("/"));
        }

        Assert.True(before.Distinct().Count() > 1, "8 client addresses should spread over more than one backend");
    }
}
