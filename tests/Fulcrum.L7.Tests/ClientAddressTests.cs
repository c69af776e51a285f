using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests;

/// <summary>
/// The client address behind trusted proxies: Forwarded (RFC 7239) read like X-Forwarded-For from the right, and the
/// resolved address given to the backend in X-Real-IP and used by ip-hash.
/// </summary>
public sealed class ClientAddressTests
{
    private static RouteConfig Seen(string cidr) => Respond($"seen {cidr}", new MatchConfig { ClientCidrs = [cidr] });

    private static async Task<string> GetAsync(HttpClient client, string forwarded, string header = "Forwarded")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.TryAddWithoutValidation(header, forwarded);
        using var response = await client.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    [Theory]
    [InlineData("for=203.0.113.7")]
    [InlineData("for=198.51.100.1, for=203.0.113.7;proto=https, for=10.1.1.1")]
    [InlineData("for=\"203.0.113.7:4711\";by=10.0.0.1")]
    [InlineData("For=203.0.113.7, proto=https;host=a")]
    public async Task Forwarded_FromATrustedProxy_NamesTheClient_ReadFromTheRightPastTrustedHops(string forwarded)
    {
        await using var backends = await Backends.StartAsync("echo");
        var web = Web(Seen("203.0.113.7/32"), ToPool("app")) with { TrustedProxies = ["127.0.0.1/32", "10.0.0.0/8"] };
        await using var proxy = await ProxyHarness.StartAsync(Of(web, Pool("app", backends.All)));

        Assert.Equal("seen 203.0.113.7/32", await GetAsync(proxy.Client, forwarded));
    }

    [Fact]
    public async Task Forwarded_WithAQuotedIpv6Node_NamesThatClient()
    {
        await using var backends = await Backends.StartAsync("echo");
        var web = Web(Seen("2001:db8::/32"), ToPool("app")) with { TrustedProxies = ["127.0.0.1/32"] };
        await using var proxy = await ProxyHarness.StartAsync(Of(web, Pool("app", backends.All)));

        Assert.Equal("seen 2001:db8::/32", await GetAsync(proxy.Client, "for=\"[2001:db8:cafe::17]:4711\""));
    }

    [Theory]
    [InlineData("for=203.0.113.7, for=unknown")]
    [InlineData("for=203.0.113.7, for=_hidden")]
    [InlineData("for=203.0.113.7, for=\"[2001:db8::1\"")]
    public async Task Forwarded_WithANodeThatIsNotAnAddress_StopsTheWalk_SoNothingLeftOfItIsBelieved(string forwarded)
    {
        await using var backends = await Backends.StartAsync("echo");
        var web = Web(Seen("203.0.113.7/32"), ToPool("app")) with { TrustedProxies = ["127.0.0.1/32"] };
        await using var proxy = await ProxyHarness.StartAsync(Of(web, Pool("app", backends.All)));

        var echo = TestBackend.Echo.Parse(await GetAsync(proxy.Client, forwarded));

        Assert.Equal("echo", echo.Backend);
        Assert.Equal(forwarded, echo.Header("Forwarded")); // kept as the trusted proxy sent it
    }

    [Fact]
    public async Task XForwardedFor_WinsOverForwarded_WhenATrustedProxySendsBoth()
    {
        await using var backends = await Backends.StartAsync("echo");
        var web = Web(Seen("203.0.113.7/32"), ToPool("app")) with { TrustedProxies = ["127.0.0.1/32"] };
        await using var proxy = await ProxyHarness.StartAsync(Of(web, Pool("app", backends.All)));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        request.Headers.Add("Forwarded", "for=198.51.100.1");

        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal("seen 203.0.113.7/32", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task XRealIp_IsTheResolvedClient_FromATrustedProxy_AndTheTruePeerOtherwise()
    {
        await using var backends = await Backends.StartAsync("echo");
        var web = Web(ToPool("app")) with { TrustedProxies = ["127.0.0.1/32"], XRealIp = true };
        await using var proxy = await ProxyHarness.StartAsync(Of(web, Pool("app", backends.All)));

        // 127.0.0.1 is trusted: its Forwarded names the client, which the backend gets in X-Real-IP and X-Forwarded-For.
        var trusted = TestBackend.Echo.Parse(await GetAsync(proxy.Client, "for=203.0.113.7"));
        Assert.Equal("203.0.113.7", trusted.Header("X-Real-IP"));
        Assert.Equal("203.0.113.7, 127.0.0.1", trusted.Header("X-Forwarded-For"));

        // 127.0.0.2 is not: its claim is dropped and X-Real-IP is the peer itself.
        var untrusted = TestBackend.Echo.Parse(await GetAsync(proxy.CreateClient(source: IPAddress.Parse("127.0.0.2")), "203.0.113.7", "X-Real-IP"));
        Assert.Equal("127.0.0.2", untrusted.Header("X-Real-IP"));
        Assert.Equal("127.0.0.2", untrusted.Header("X-Forwarded-For"));
    }

    [Fact]
    public async Task IpHash_BalancesByTheResolvedClient_NotByTheTrustedProxy()
    {
        await using var backends = await Backends.StartAsync("a", "b", "c");
        var web = Web(ToPool("app")) with { TrustedProxies = ["127.0.0.1/32"] };
        await using var proxy = await ProxyHarness.StartAsync(Of(web, Pool("app", "ip-hash", backends.All)));

        var served = new Dictionary<int, string>();
        for (var i = 1; i <= 24; i++)
        {
            for (var repeat = 0; repeat < 2; repeat++)
            {
                var body = await GetAsync(proxy.Client, $"198.51.100.{i}", "X-Forwarded-For");
                var backend = TestBackend.Echo.Parse(body).Backend;
                if (served.TryGetValue(i, out var first)) Assert.Equal(first, backend);
                else served[i] = backend;
            }
        }

        Assert.True(served.Values.Distinct().Count() >= 2, string.Join(",", served.Values));
    }
}
