using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using Fulcrum.L7.Tests.Tls;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests;

/// <summary>WebSocket upgrades through either front end: Kestrel's (YARP's forwarder relays) and Fulcrum's own (the backend leg relays).</summary>
public sealed class WebSocketTests
{
    public static TheoryData<HttpFrontEnd> FrontEnds => [HttpFrontEnd.Kestrel, HttpFrontEnd.Fulcrum];

    [Theory]
    [MemberData(nameof(FrontEnds))]
    public async Task WebSocket_ThroughTheBalancer_EchoesAndCountsAsActiveUntilClosed(HttpFrontEnd frontEnd)
    {
        await using var backends = await Backends.StartAsync("ws");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("chat")) with { FrontEnd = frontEnd }, Pool("chat", backends.All)));
        var stats = proxy.Pool("chat").Backends[0].Stats;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = new ClientWebSocket();

        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{proxy.Plane.BoundEndpoints["web"].Port}/ws"), timeout.Token);
        Assert.Equal(1, stats.Active);

        var buffer = new byte[1024];
        for (var i = 0; i < 100; i++)
        {
            var message = Encoding.UTF8.GetBytes($"message {i}");
            await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            var received = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.True(received.EndOfMessage);
            Assert.Equal($"message {i}", Encoding.UTF8.GetString(buffer, 0, received.Count));
            Assert.Equal(1, stats.Active);
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.Equal(WebSocketState.Closed, socket.State);
        await Poll.UntilAsync(() => stats.Active == 0, "the lease to be released after close");
        Assert.Equal(0, stats.Failures);
    }

    [Theory]
    [MemberData(nameof(FrontEnds))]
    public async Task WebSocket_LargeMessagesBothWays_ArriveWhole(HttpFrontEnd frontEnd)
    {
        await using var backends = await Backends.StartAsync("ws");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("chat")) with { FrontEnd = frontEnd }, Pool("chat", backends.All)));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{proxy.Plane.BoundEndpoints["web"].Port}/ws"), timeout.Token);

        var message = new byte[300_000];
        Random.Shared.NextBytes(message);
        await socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, timeout.Token);
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var part = await socket.ReceiveAsync(buffer, timeout.Token);
            received.Write(buffer, 0, part.Count);
            if (part.EndOfMessage) break;
        }

        Assert.Equal(message, received.ToArray());
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
    }

    [Theory]
    [MemberData(nameof(FrontEnds))]
    public async Task WebSocket_SilentForTheRequestTimeout_IsClosed_AndReleasesItsLease(HttpFrontEnd frontEnd)
    {
        await using var backends = await Backends.StartAsync("ws");
        var pool = Pool("chat", backends.All) with { RequestTimeout = TimeSpan.FromSeconds(1) };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("chat")) with { FrontEnd = frontEnd }, pool));
        var stats = proxy.Pool("chat").Backends[0].Stats;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{proxy.Plane.BoundEndpoints["web"].Port}/ws"), timeout.Token);
        var idle = Stopwatch.StartNew();

        // Nothing either way: the balancer closes the relay after the pool's request-timeout of inactivity.
        try
        {
            var result = await socket.ReceiveAsync(new byte[16], timeout.Token);
            Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        }
        catch (WebSocketException)
        {
            // The connection closed without a close frame: what a relay that gives up looks like.
        }

        Assert.False(timeout.IsCancellationRequested, "the idle WebSocket was never closed");
        // The relay's clock starts before the client has read the 101, so a little less than the second may be seen here.
        Assert.InRange(idle.Elapsed, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(25));
        await Poll.UntilAsync(() => stats.Active == 0, "the lease to be released after the idle close");
    }

    [Theory]
    [InlineData(HttpFrontEnd.Kestrel, HttpStatusCode.OK)] // RFC 8441 extended CONNECT on the h2 connection
    [InlineData(HttpFrontEnd.Fulcrum, HttpStatusCode.OK)] // the same: SETTINGS_ENABLE_CONNECT_PROTOCOL, then HTTP/1.1 to the backend
    public async Task WebSocketOverTls_FromAClientOfferingHttp2_Echoes(HttpFrontEnd frontEnd, HttpStatusCode handshake)
    {
        using var pki = new TestPki();
        var (cert, key) = pki.Write(pki.Issue(["a.test", "127.0.0.1"]), "a");
        var tls = new ListenerTlsConfig { Certificates = [new CertificateConfig { Cert = cert, Key = key }] };
        await using var backends = await Backends.StartAsync("ws");
        await using var proxy = await ProxyHarness.StartAsync(Of(HttpsListenerTests.Secure(tls, ToPool("chat")) with { FrontEnd = frontEnd }, Pool("chat", backends.All)));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var handler = new SocketsHttpHandler { UseProxy = false };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var invoker = new HttpMessageInvoker(handler);
        using var socket = new ClientWebSocket();
        socket.Options.HttpVersion = HttpVersion.Version20;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
        socket.Options.CollectHttpResponseDetails = true;

        await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{proxy.Plane.BoundEndpoints["web"].Port}/ws"), invoker, timeout.Token);
        Assert.Equal(handshake, socket.HttpStatusCode);
        await socket.SendAsync("over tls"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var buffer = new byte[64];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal("over tls", Encoding.UTF8.GetString(buffer, 0, received.Count));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
    }

    [Fact]
    public async Task WebSocketOverHttp2Only_OnTheOwnFrontEnd_CarriesLargeMessagesBothWays_AndCountsAsActiveUntilClosed()
    {
        using var pki = new TestPki();
        var (cert, key) = pki.Write(pki.Issue(["a.test", "127.0.0.1"]), "a");
        var tls = new ListenerTlsConfig { Certificates = [new CertificateConfig { Cert = cert, Key = key }] };
        await using var backends = await Backends.StartAsync("ws");
        await using var proxy = await ProxyHarness.StartAsync(Of(HttpsListenerTests.Secure(tls, ToPool("chat")) with { FrontEnd = HttpFrontEnd.Fulcrum }, Pool("chat", backends.All)));
        var stats = proxy.Pool("chat").Backends[0].Stats;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var handler = new SocketsHttpHandler { UseProxy = false };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        using var invoker = new HttpMessageInvoker(handler);
        using var socket = new ClientWebSocket();
        // Exact: no fallback to HTTP/1.1, so the handshake is the extended CONNECT or nothing.
        socket.Options.HttpVersion = HttpVersion.Version20;
        socket.Options.HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        socket.Options.CollectHttpResponseDetails = true;

        await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{proxy.Plane.BoundEndpoints["web"].Port}/ws"), invoker, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, socket.HttpStatusCode);
        Assert.Equal(1, stats.Active);

        // Past the stream's 64 KiB window and the 16 KiB frame: WINDOW_UPDATEs and several DATA frames each way.
        var message = new byte[300_000];
        Random.Shared.NextBytes(message);
        await socket.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, timeout.Token);
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var part = await socket.ReceiveAsync(buffer, timeout.Token);
            received.Write(buffer, 0, part.Count);
            if (part.EndOfMessage) break;
        }

        Assert.Equal(message, received.ToArray());
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.Equal(WebSocketState.Closed, socket.State);
        await Poll.UntilAsync(() => stats.Active == 0, "the lease to be released after close");
        Assert.Equal(0, stats.Failures);
    }

    [Theory]
    [MemberData(nameof(FrontEnds))]
    public async Task Stop_KeepsAWebSocketUntilTheDeadline_ThenCutsIt_AndReleasesItsLease(HttpFrontEnd frontEnd)
    {
        await using var backends = await Backends.StartAsync("ws");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("chat")) with { FrontEnd = frontEnd }, Pool("chat", backends.All)));
        var stats = proxy.Pool("chat").Backends[0].Stats;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{proxy.Plane.BoundEndpoints["web"].Port}/ws"), timeout.Token);

        using var deadline = new CancellationTokenSource();
        var stopping = proxy.Plane.StopAsync(deadline.Token);
        // Draining: the WebSocket is in-flight work and still carries messages both ways.
        var buffer = new byte[64];
        await socket.SendAsync("during the drain"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal("during the drain", Encoding.UTF8.GetString(buffer, 0, received.Count));
        Assert.False(stopping.IsCompleted);

        deadline.Cancel();
        await stopping.WaitAsync(timeout.Token);
        await Assert.ThrowsAnyAsync<WebSocketException>(async () => await socket.ReceiveAsync(buffer, timeout.Token));
        await Poll.UntilAsync(() => stats.Active == 0, "the lease to be released once the WebSocket was cut");
    }

    [Theory]
    [MemberData(nameof(FrontEnds))]
    public async Task UpgradeToAProtocolNotRelayed_IsAnOrdinaryRequest(HttpFrontEnd frontEnd)
    {
        await using var backends = await Backends.StartAsync("app");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")) with { FrontEnd = frontEnd }, Pool("app", backends.All)));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(proxy.Plane.BoundEndpoints["web"]);
        await client.SendAsync("GET /echo HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: foo/2\r\n\r\n"u8.ToArray());

        var answer = await ReadHeadAsync(client);
        Assert.StartsWith("HTTP/1.1 200", answer);
        Assert.DoesNotContain("foo/2", answer, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<string> ReadHeadAsync(Socket client)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[16 * 1024];
        var total = 0;
        while (true)
        {
            var read = await client.ReceiveAsync(buffer.AsMemory(total), SocketFlags.None, deadline.Token);
            if (read == 0) break;
            total += read;
            var text = Encoding.ASCII.GetString(buffer, 0, total);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0) return text;
        }

        return Encoding.ASCII.GetString(buffer, 0, total);
    }
}
