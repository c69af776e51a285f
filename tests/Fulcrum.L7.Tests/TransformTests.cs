using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests;

public sealed class TransformTests
{
    private static async Task<(Backends, ProxyHarness)> StartAsync(TransformsConfig transforms, Func<ListenerConfig, ListenerConfig>? listener = null)
    {
        var backends = await Backends.StartAsync("echo");
        var web = Web(ToPool("app", transforms: transforms));
        var proxy = await ProxyHarness.StartAsync(Of(listener?.Invoke(web) ?? web, Pool("app", backends.All)));
        return (backends, proxy);
    }

    private static async Task<(TestBackend.Echo Echo, HttpResponseMessage Response)> EchoAsync(HttpClient client, HttpRequestMessage request)
    {
        var response = await client.SendAsync(request);
        return (TestBackend.Echo.Parse(await response.Content.ReadAsStringAsync()), response);
    }

    private static HttpRequestMessage Forged()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.Host = "shop.example.com";
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        request.Headers.Add("X-Real-IP", "203.0.113.7");
        request.Headers.Add("Forwarded", "for=203.0.113.7;proto=https");
        return request;
    }

    [Fact]
    public async Task ForwardedHeaders_FromAClientNotTrusted_AreReplacedNotBelieved()
    {
        var (backends, proxy) = await StartAsync(TransformsConfig.None);
        await using var _ = backends;
        await using var __ = proxy;

        var (echo, _) = await EchoAsync(proxy.Client, Forged());

        Assert.Equal("127.0.0.1", echo.Header("X-Forwarded-For"));
        Assert.Equal("http", echo.Header("X-Forwarded-Proto"));
        Assert.Equal("shop.example.com", echo.Header("X-Forwarded-Host"));
        Assert.Null(echo.Header("X-Real-IP"));
        Assert.Null(echo.Header("Forwarded"));
    }

    [Fact]
    public async Task ForwardedHeaders_FromATrustedProxy_AreKept_AndItsAddressAppended()
    {
        var (backends, proxy) = await StartAsync(TransformsConfig.None, l => l with { TrustedProxies = ["127.0.0.0/8"] });
        await using var _ = backends;
        await using var __ = proxy;

        var (echo, _) = await EchoAsync(proxy.Client, Forged());

        Assert.Equal("203.0.113.7, 127.0.0.1", echo.Header("X-Forwarded-For"));
        Assert.Equal("https", echo.Header("X-Forwarded-Proto")); // the first proxy terminated the client's TLS
        Assert.Equal("evil.example", echo.Header("X-Forwarded-Host"));
        Assert.Equal("203.0.113.7", echo.Header("X-Real-IP"));
    }

    [Fact]
    public async Task TrustedProxies_NameTheClientAddressRoutesMatchOn_AndAForgedHopCannotPassThem()
    {
        await using var backends = await Backends.StartAsync("echo");
        var seen = Respond("seen 203.0.113.7", new MatchConfig { ClientCidrs = ["203.0.113.7/32"] });
        var trusted = Web(seen, ToPool("app")) with { TrustedProxies = ["127.0.0.1/32", "10.0.0.0/8"] };
        await using var proxy = await ProxyHarness.StartAsync(Of(trusted, Pool("app", backends.All)));

        // 10.1.1.1 is a trusted hop, so the client is the address before it; 198.51.100.1 is what that client claimed.
        var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.Add("X-Forwarded-For", "198.51.100.1, 203.0.113.7, 10.1.1.1");
        using var resolved = await proxy.Client.SendAsync(request);
        Assert.Equal("seen 203.0.113.7", await resolved.Content.ReadAsStringAsync());

        // Without trusted-proxies the same header is only a claim: the route on the client's address does not match.
        await using var edge = await ProxyHarness.StartAsync(Of(Web(seen, ToPool("app")), Pool("app", backends.All)));
        var forged = new HttpRequestMessage(HttpMethod.Get, "/echo");
        forged.Headers.Add("X-Forwarded-For", "203.0.113.7");
        var (echo, _) = await EchoAsync(edge.Client, forged);
        Assert.Equal("127.0.0.1", echo.Header("X-Forwarded-For"));
    }

    [Fact]
    public async Task ForwardedHeadersOff_AddsNone_AndStillDropsTheClientsCopies()
    {
        var (backends, proxy) = await StartAsync(TransformsConfig.None, l => l with { ForwardedHeaders = false });
        await using var _ = backends;
        await using var __ = proxy;

        var (echo, _) = await EchoAsync(proxy.Client, Forged());

        Assert.Null(echo.Header("X-Forwarded-For"));
        Assert.Null(echo.Header("X-Forwarded-Proto"));
        Assert.Null(echo.Header("X-Forwarded-Host"));
        Assert.Null(echo.Header("X-Real-IP"));
    }

    [Fact]
    public async Task HeadersTheClientNamesInConnection_AreDropped_ButNeverOnesFulcrumAdds()
    {
        var (backends, proxy) = await StartAsync(TransformsConfig.None);
        await using var _ = backends;
        await using var __ = proxy;
        var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.Add("X-Secret", "hop only");
        request.Headers.Connection.Add("X-Secret");
        request.Headers.Connection.Add("X-Forwarded-For");
        request.Headers.Connection.Add("X-Request-ID");

        var (echo, _) = await EchoAsync(proxy.Client, request);

        Assert.Null(echo.Header("X-Secret"));
        Assert.Equal("127.0.0.1", echo.Header("X-Forwarded-For"));
        Assert.Equal(32, echo.Header("X-Request-ID")!.Length);
    }

    [Fact]
    public async Task HostHeader_IsTheClientsOriginal()
    {
        var (backends, proxy) = await StartAsync(TransformsConfig.None);
        await using var _ = backends;
        await using var __ = proxy;
        var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.Host = "shop.example.com:8080";

        var (echo, _) = await EchoAsync(proxy.Client, request);

        Assert.Equal("shop.example.com:8080", echo.Header("Host"));
    }

    [Fact]
    public async Task RequestHeaders_AddSetRemove_AreAppliedBeforeForwarding()
    {
        var transforms = new TransformsConfig
        {
            RequestHeaders = new HeaderEdits
            {
                Add = [new("X-Added", "1")],
                Set = [new("X-Env", "prod")],
                Remove = ["X-Secret"],
            },
        };
        var (backends, proxy) = await StartAsync(transforms);
        await using var _ = backends;
        await using var __ = proxy;
        var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.Add("X-Env", "dev");
        request.Headers.Add("X-Secret", "hunter2");

        var (echo, _) = await EchoAsync(proxy.Client, request);

        Assert.Equal("1", echo.Header("X-Added"));
        Assert.Equal("prod", echo.Header("X-Env"));
        Assert.Null(echo.Header("X-Secret"));
    }

    [Fact]
    public async Task ResponseHeaders_AddSetRemove_AreAppliedBeforeAnswering()
    {
        var transforms = new TransformsConfig
        {
            ResponseHeaders = new HeaderEdits
            {
                Add = [new("X-Served-By", "fulcrum")],
                Set = [new("X-Backend", "hidden")],
                Remove = ["Server"],
            },
        };
        var (backends, proxy) = await StartAsync(transforms);
        await using var _ = backends;
        await using var __ = proxy;

        using var response = await proxy.Client.GetAsync("/");

        Assert.Equal("fulcrum", response.Headers.GetValues("X-Served-By").Single());
        Assert.Equal("hidden", response.Headers.GetValues("X-Backend").Single());
        Assert.False(response.Headers.Contains("Server"));
    }

    [Fact]
    public async Task StripPrefix_RemovesItAtASegmentBoundary_KeepingTheQuery()
    {
        var (backends, proxy) = await StartAsync(new TransformsConfig { StripPrefix = "/api" });
        await using var _ = backends;
        await using var __ = proxy;

        var (echo, _) = await EchoAsync(proxy.Client, new HttpRequestMessage(HttpMethod.Get, "/api/echo?x=1"));

        Assert.Equal("/echo", echo.Path);
        Assert.Equal("?x=1", echo.Query);
    }

    [Fact]
    public async Task AddPrefix_PutsItInFrontOfThePath()
    {
        var (backends, proxy) = await StartAsync(new TransformsConfig { AddPrefix = "/echo" });
        await using var _ = backends;
        await using var __ = proxy;

        var (echo, _) = await EchoAsync(proxy.Client, new HttpRequestMessage(HttpMethod.Get, "/users/7"));

        Assert.Equal("/echo/users/7", echo.Path);
    }

    [Fact]
    public async Task StripThenAddPrefix_RewritesOnePrefixIntoAnother()
    {
        var (backends, proxy) = await StartAsync(new TransformsConfig { StripPrefix = "/public/", AddPrefix = "/echo/v2" });
        await using var _ = backends;
        await using var __ = proxy;

        var (echo, _) = await EchoAsync(proxy.Client, new HttpRequestMessage(HttpMethod.Get, "/public/items?page=2"));

        Assert.Equal("/echo/v2/items", echo.Path);
        Assert.Equal("?page=2", echo.Query);
    }

    [Fact]
    public async Task SecurityHeaders_AddsThePreset()
    {
        var (backends, proxy) = await StartAsync(new TransformsConfig { SecurityHeaders = true });
        await using var _ = backends;
        await using var __ = proxy;

        using var response = await proxy.Client.GetAsync("/");

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task RequestId_SentByAClient_IsReplaced_AndOneFromATrustedProxyKept()
    {
        var (backends, proxy) = await StartAsync(TransformsConfig.None);
        await using var _ = backends;
        await using var __ = proxy;
        var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.Add("X-Request-ID", "abc-123");

        var (echo, response) = await EchoAsync(proxy.Client, request);

        var id = response.Headers.GetValues("X-Request-ID").Single();
        Assert.NotEqual("abc-123", id);
        Assert.Equal(id, echo.Header("X-Request-ID"));

        var (trustedBackends, trusted) = await StartAsync(TransformsConfig.None, l => l with { TrustedProxies = ["127.0.0.1/32"] });
        await using var ___ = trustedBackends;
        await using var ____ = trusted;
        var fromProxy = new HttpRequestMessage(HttpMethod.Get, "/echo");
        fromProxy.Headers.Add("X-Request-ID", "abc-123");
        var (kept, keptResponse) = await EchoAsync(trusted.Client, fromProxy);
        Assert.Equal("abc-123", kept.Header("X-Request-ID"));
        Assert.Equal("abc-123", keptResponse.Headers.GetValues("X-Request-ID").Single());
    }

    [Fact]
    public async Task RequestId_Missing_IsGeneratedForwardedAndReturned()
    {
        var (backends, proxy) = await StartAsync(TransformsConfig.None);
        await using var _ = backends;
        await using var __ = proxy;

        var (echo, response) = await EchoAsync(proxy.Client, new HttpRequestMessage(HttpMethod.Get, "/echo"));
        var (second, _) = await EchoAsync(proxy.Client, new HttpRequestMessage(HttpMethod.Get, "/echo"));

        var id = response.Headers.GetValues("X-Request-ID").Single();
        Assert.Equal(32, id.Length);
        Assert.Equal(id, echo.Header("X-Request-ID"));
        Assert.NotEqual(id, second.Header("X-Request-ID"));
    }

    [Fact]
    public async Task RequestIdOff_LeavesRequestsAlone()
    {
        var (backends, proxy) = await StartAsync(TransformsConfig.None, l => l with { RequestId = false });
        await using var _ = backends;
        await using var __ = proxy;

        var (echo, response) = await EchoAsync(proxy.Client, new HttpRequestMessage(HttpMethod.Get, "/echo"));

        Assert.Null(echo.Header("X-Request-ID"));
        Assert.False(response.Headers.Contains("X-Request-ID"));
    }
}
