using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests;

public sealed class ForwardingTests
{
    [Theory]
    [InlineData("round-robin")]
    [InlineData("least-bandwidth")]
    public async Task Bytes_OfRequestAndResponseBodies_AreRecordedOnTheBackend(string algorithm)
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")), Pool("app", algorithm, backends.All)));
        var body = new string('x', 10_000);

        using var response = await proxy.Client.PostAsync("/", new StringContent(body));

        Assert.Equal("a", await response.Content.ReadAsStringAsync());
        var stats = proxy.Pool("app").Backends[0].Stats;
        Assert.Equal(10_000, stats.BytesSent);
        Assert.Equal(1, stats.BytesReceived); // "a"
    }

    [Fact]
    public async Task HeaderHashKey_SendsTheSameUserToTheSameBackend_AndKeylessRequestsAreSpread()
    {
        await using var backends = await Backends.StartAsync("a", "b", "c");
        var pool = Pool("app", "consistent-hash", backends.All) with { HashKey = new HashKeyConfig(HashKeySource.Header, "X-User") };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")), pool));

        var owners = new HashSet<string>();
        for (var user = 0; user < 12; user++)
        {
            var first = await GetAsync(proxy.Client, ("X-User", $"user-{user}"));
            for (var i = 0; i < 3; i++) Assert.Equal(first, await GetAsync(proxy.Client, ("X-User", $"user-{user}")));
            owners.Add(first);
        }

        Assert.True(owners.Count > 1, "12 users should spread over more than one backend");
        var keyless = new HashSet<string>();
        for (var i = 0; i < 6; i++) keyless.Add(await GetAsync(proxy.Client));
        Assert.Equal(3, keyless.Count); // no key: the balancer's round-robin fallback
    }

    [Theory]
    [InlineData(HashKeySource.Cookie)]
    [InlineData(HashKeySource.Query)]
    [InlineData(HashKeySource.Path)]
    public async Task HashKey_FromCookieQueryOrPath_KeepsEachKeyOnOneBackend(HashKeySource source)
    {
        await using var backends = await Backends.StartAsync("a", "b", "c");
        var key = new HashKeyConfig(source, source == HashKeySource.Path ? null : "uid");
        var pool = Pool("app", "consistent-hash", backends.All) with { HashKey = key };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")), pool));

        var owners = new HashSet<string>();
        for (var user = 0; user < 12; user++)
        {
            var first = await SendAsync(proxy.Client, source, $"user-{user}");
            for (var i = 0; i < 3; i++) Assert.Equal(first, await SendAsync(proxy.Client, source, $"user-{user}"));
            owners.Add(first);
        }

        Assert.True(owners.Count > 1, "12 keys should spread over more than one backend");
    }

    private static async Task<string> SendAsync(HttpClient client, HashKeySource source, string user)
    {
        using var request = source switch
        {
            HashKeySource.Cookie => new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { "Cookie", $"uid={user}; other=1" } } },
            HashKeySource.Query => new HttpRequestMessage(HttpMethod.Get, $"/?uid={user}"),
            _ => new HttpRequestMessage(HttpMethod.Get, $"/{user}"),
        };
        using var response = await client.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Start_WhenTheAddressIsTaken_Throws()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        var config = Of(Web(Respond("x")) with { Bind = new BindAddress(IPAddress.Loopback, port) });

        await Assert.ThrowsAnyAsync<IOException>(() => ProxyHarness.StartAsync(config));
    }

    [Fact]
    public async Task Reload_ChangingTheBind_MovesTheListener()
    {
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(Respond("here"))));
        var before = proxy.Plane.BoundEndpoints["web"];

        proxy.Store.Apply(Of(Web(Respond("moved")) with { Bind = new BindAddress(IPAddress.Parse("127.0.0.2"), 0) }));
        await Poll.UntilAsync(() => proxy.Plane.BoundEndpoints.TryGetValue("web", out var now) && !now.Equals(before), "the listener to move");

        var now = proxy.Plane.BoundEndpoints["web"];
        Assert.Equal(IPAddress.Parse("127.0.0.2"), now.Address);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal("moved", await client.GetStringAsync($"http://127.0.0.2:{now.Port}/"));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"http://127.0.0.1:{before.Port}/"));
    }

    private static async Task<string> GetAsync(HttpClient client, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        foreach (var (name, value) in headers) request.Headers.Add(name, value);
        using var response = await client.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }
}
