using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using Fulcrum.L7.Tests.Tls;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.FrontEnd;

/// <summary>Behaviour of a `front-end: fulcrum` listener in front of real Kestrel backends.</summary>
public sealed class FulcrumFrontEndTests
{
    private static async Task<ProxyHarness> StartAsync(Backends backends) =>
        await ProxyHarness.StartAsync(Of(Web(ToPool("app")) with { FrontEnd = HttpFrontEnd.Fulcrum }, Pool("app", backends.All)));

    [Fact]
    public async Task KeepAlive_ServesManyRequestsOnOneConnection()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await StartAsync(backends);
        var connections = 0;
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, token) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, token);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = proxy.Url() };

        for (var i = 0; i < 5; i++) Assert.Equal("a", await client.GetStringAsync("/"));

        Assert.Equal(1, connections);
    }

    [Fact]
    public async Task ResponseWithoutLength_IsChunked_AndChunkedRequestBodyReachesTheBackend()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await StartAsync(backends);
        var content = new StreamContent(new MemoryStream("hello"u8.ToArray()));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/echo/x?y=1") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TransferEncodingChunked);
        var echo = await response.Content.ReadFromJsonAsync<TestBackend.Echo>();
        Assert.Equal("/echo/x", echo!.Path);
        Assert.Equal("?y=1", echo.Query);
        Assert.Equal("POST", echo.Method);
    }

    [Fact]
    public async Task Head_GetsTheHeadersWithoutABody()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await StartAsync(backends);

        using var response = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task ExpectContinue_GetsTheBodyForwarded()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await StartAsync(backends);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new ByteArrayContent(new byte[10_000]) };
        request.Headers.ExpectContinue = true;

        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("a", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ConnectionClose_IsAnswered_AndTheConnectionCloses()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await StartAsync(backends);

        var verdict = await Hardening.ClientProbe.VerdictAsync(proxy.Plane.BoundEndpoints["web"], "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"u8.ToArray());

        Assert.Equal("200+close", verdict);
    }

    [Fact]
    public async Task NoRoute_Is404_FromTheFrontEndsOwnAnswer()
    {
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(Respond("hi", new() { PathPrefix = "/only" })) with { FrontEnd = HttpFrontEnd.Fulcrum }));

        Assert.Equal("hi", await proxy.Client.GetStringAsync("/only"));
        Assert.Equal(HttpStatusCode.NotFound, (await proxy.Client.GetAsync("/other")).StatusCode);
    }

    [Fact]
    public async Task Https_ServesHttp11OverTls()
    {
        using var pki = new TestPki();
        var (cert, key) = pki.Write(pki.Issue(["a.test"]), "a");
        await using var backends = await Backends.StartAsync("a");
        var tls = new ListenerTlsConfig { Alpn = ["http/1.1"], Certificates = [new CertificateConfig { Cert = cert, Key = key }] };
        var listener = HttpsListenerTests.Secure(tls, ToPool("app")) with { FrontEnd = HttpFrontEnd.Fulcrum };
        await using var proxy = await ProxyHarness.StartAsync(new FulcrumConfig { Listeners = [listener], Pools = [Pool("app", backends.All)] });
        using var client = HttpsListenerTests.HttpsClient(proxy);

        using var response = await client.GetAsync("/echo");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new Version(1, 1), response.Version);
        var echo = await response.Content.ReadFromJsonAsync<TestBackend.Echo>();
        Assert.Equal("https", echo!.Headers["X-Forwarded-Proto"]);
    }
}
