using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.Affinity;

public sealed class HashAffinityTests
{
    [Fact]
    public async Task AppCookie_KeepsEachSessionOnOneBackend_AndSetsNoCookieOfItsOwn()
    {
        await using var backends = await Backends.StartAsync("a", "b", "c");
        var pool = Pool("app", backends.All) with { Affinity = new AffinityConfig { Mode = AffinityMode.AppCookie, Cookie = "JSESSIONID" } };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")), pool));
        var homes = new HashSet<string>();

        for (var session = 0; session < 12; session++)
        {
            string? home = null;
            for (var i = 0; i < 4; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/");
                request.Headers.Add("Cookie", $"theme=dark; JSESSIONID=s{session}");
                using var response = await proxy.Client.SendAsync(request);
                Assert.False(response.Headers.Contains("Set-Cookie"));
                var body = await response.Content.ReadAsStringAsync();
                home ??= body;
                Assert.Equal(home, body);
            }

            homes.Add(home!);
        }

        Assert.True(homes.Count >= 2, "sessions should spread over the backends");
    }

    [Fact]
    public async Task SourceIp_KeepsEachClientAddressOnOneBackend()
    {
        await using var backends = await Backends.StartAsync("a", "b", "c");
        var pool = Pool("app", backends.All) with { Affinity = new AffinityConfig { Mode = AffinityMode.SourceIp } };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")), pool));
        var homes = new HashSet<string>();

        for (var host = 2; host < 12; host++)
        {
            var client = proxy.CreateClient(source: IPAddress.Parse($"127.0.0.{host}"));
            var home = await client.GetStringAsync("/");
            for (var i = 0; i < 4; i++) Assert.Equal(home, await client.GetStringAsync("/"));
            homes.Add(home);
        }

        Assert.True(homes.Count >= 2, "client addresses should spread over the backends");
    }
}
