using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Proxy;
using Fulcrum.L7.Tests.Support;
using Fulcrum.L7.Tests.Tls;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests;

/// <summary>
/// `accept-proxy` on http and https listeners: the PROXY header (haproxy doc/proxy-protocol.txt) a tier in front
/// writes names the client, and that client is what the backend, the balancer and trusted-proxies see.
/// </summary>
public sealed class AcceptProxyTests : IDisposable
{
    private static readonly IPEndPoint Client = new(IPAddress.Parse("203.0.113.7"), 40000);
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private static ListenerConfig Proxied(ListenerConfig listener) => listener with { AcceptProxy = true };

    [Theory]
    [InlineData(ProxyProtocolVersion.V1)]
    [InlineData(ProxyProtocolVersion.V2)]
    public async Task HttpListenerWithAcceptProxy_TakesTheClientFromTheProxyHeader_AndTheBackendSeesItInXForwardedFor(ProxyProtocolVersion version)
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Proxied(Web(ToPool("app"))), Pool("app", backends.All)));
        using var client = ProxiedClient(proxy.Url(), version, Client);

        var echo = TestBackend.Echo.Parse(await client.GetStringAsync("/echo"));

        Assert.Equal("203.0.113.7", echo.Header("X-Forwarded-For"));
        // Keep-alive: the second request on the same connection keeps the header's client.
        echo = TestBackend.Echo.Parse(await client.GetStringAsync("/echo"));
        Assert.Equal("203.0.113.7", echo.Header("X-Forwarded-For"));
    }

    [Fact]
    public async Task HttpsListenerWithAcceptProxy_ReadsTheHeaderBeforeTheClientHello()
    {
        await using var backends = await Backends.StartAsync("a");
        var (cert, key) = _pki.Write(_pki.Issue(["a.test"]), "a");
        var tls = new ListenerTlsConfig { Certificates = [new CertificateConfig { Cert = cert, Key = key }] };
        var listener = Proxied(HttpsListenerTests.Secure(tls, ToPool("app")));
        await using var proxy = await ProxyHarness.StartAsync(Of(listener, Pool("app", backends.All)));
        var url = new Uri($"https://127.0.0.1:{proxy.Plane.BoundEndpoints["web"].Port}/");

        foreach (var version in (ProxyProtocolVersion[])[ProxyProtocolVersion.V1, ProxyProtocolVersion.V2])
        {
            using var client = ProxiedClient(url, version, Client);
            var echo = TestBackend.Echo.Parse(await client.GetStringAsync("/echo"));
            Assert.Equal("203.0.113.7", echo.Header("X-Forwarded-For"));
            Assert.Equal("https", echo.Header("X-Forwarded-Proto"));
        }
    }

    [Fact]
    public async Task ForgedXForwardedFor_FromAClientTheProxyHeaderNames_IsReplaced_WhenItIsNotTrusted()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Proxied(Web(ToPool("app"))), Pool("app", backends.All)));
        using var client = ProxiedClient(proxy.Url(), ProxyProtocolVersion.V2, Client);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.Add("X-Forwarded-For", "198.51.100.66");
        request.Headers.Add("Forwarded", "for=198.51.100.66");
        request.Headers.Add("X-Real-IP", "198.51.100.66");

        using var response = await client.SendAsync(request);
        var echo = TestBackend.Echo.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("203.0.113.7", echo.Header("X-Forwarded-For"));
        Assert.Null(echo.Header("Forwarded"));
        Assert.Null(echo.Header("X-Real-IP"));
    }

    [Fact]
    public async Task TrustedProxies_ApplyOnTopOfTheProxyHeader_TheProxiedPeerIsTheOneTrusted()
    {
        await using var backends = await Backends.StartAsync("a");
        var listener = Proxied(Web(ToPool("app"))) with { TrustedProxies = ["203.0.113.0/24"] };
        await using var proxy = await ProxyHarness.StartAsync(Of(listener, Pool("app", backends.All)));
        using var client = ProxiedClient(proxy.Url(), ProxyProtocolVersion.V2, Client);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
        request.Headers.Add("X-Forwarded-For", "198.51.100.9");

        using var response = await client.SendAsync(request);
        var echo = TestBackend.Echo.Parse(await response.Content.ReadAsStringAsync());

        // The header's source (a trusted proxy) is appended after the client it vouched for.
        Assert.Equal("198.51.100.9, 203.0.113.7", echo.Header("X-Forwarded-For"));
    }

    [Fact]
    public async Task IpHash_BalancesByTheClientTheProxyHeaderNames_NotByTheTierInFront()
    {
        await using var backends = await Backends.StartAsync("a", "b", "c");
        await using var proxy = await ProxyHarness.StartAsync(Of(Proxied(Web(ToPool("app"))), Pool("app", "ip-hash", backends.All)));

        var byClient = new Dictionary<int, string>();
        for (var i = 1; i <= 24; i++)
        {
            var source = new IPEndPoint(IPAddress.Parse($"198.51.100.{i}"), 40000 + i);
            for (var repeat = 0; repeat < 2; repeat++)
            {
                // A new connection per request, as from different ports of the tier in front.
                using var client = ProxiedClient(proxy.Url(), ProxyProtocolVersion.V2, source);
                var served = await client.GetStringAsync("/");
                if (byClient.TryGetValue(i, out var first)) Assert.Equal(first, served);
                else byClient[i] = served;
            }
        }

        // Every connection came from 127.0.0.1: balanced by it, one backend would take them all.
        Assert.True(byClient.Values.Distinct().Count() >= 2, string.Join(",", byClient.Values));
    }

    [Fact]
    public async Task ConnectionWithoutAProxyHeader_IsClosed_WithoutAnAnswer()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Proxied(Web(ToPool("app"))), Pool("app", backends.All)));
        using var socket = await ConnectAsync(proxy.Url());

        await socket.SendAsync("GET / HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());

        Assert.Equal("", await RawSocket.ReadToCloseAsync(socket));
        Assert.Equal(0, backends[0].Requests);
    }

    [Fact]
    public async Task PartialProxyHeader_IsClosedAtTheInspectTimeout_NeverHangs()
    {
        await using var backends = await Backends.StartAsync("a");
        var listener = Proxied(Web(ToPool("app"))) with { InspectTimeout = TimeSpan.FromSeconds(1) };
        await using var proxy = await ProxyHarness.StartAsync(Of(listener, Pool("app", backends.All)));
        using var socket = await ConnectAsync(proxy.Url());
        var clock = Stopwatch.StartNew();

        await socket.SendAsync("PROXY TCP4 203.0.113.7 "u8.ToArray());

        Assert.Equal("", await RawSocket.ReadToCloseAsync(socket));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task ListenerWithoutAcceptProxy_DoesNotReadAProxyHeader()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")), Pool("app", backends.All)));
        using var socket = await ConnectAsync(proxy.Url());

        await socket.SendAsync("PROXY TCP4 203.0.113.7 127.0.0.1 40000 80\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());

        Assert.StartsWith("HTTP/1.1 400", await RawSocket.ReadToCloseAsync(socket));
        Assert.Equal(0, backends[0].Requests);
    }

    /// <summary>A client whose every connection starts with a PROXY header naming <paramref name="source"/>, like a tcp tier in front.</summary>
    internal static HttpClient ProxiedClient(Uri baseAddress, ProxyProtocolVersion version, IPEndPoint source)
    {
        var handler = new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                var header = new byte[ProxyHeaderWriter.MaxLength];
                var length = ProxyHeaderWriter.Write(version, source, (IPEndPoint)socket.LocalEndPoint!, header);
                await socket.SendAsync(header.AsMemory(0, length), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    private static async Task<Socket> ConnectAsync(Uri url)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, url.Port);
        return socket;
    }
}
