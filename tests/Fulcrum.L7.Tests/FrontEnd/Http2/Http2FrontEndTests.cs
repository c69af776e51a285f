using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using Fulcrum.L7.Tests.Tls;
using Fulcrum.TestSupport;
using Microsoft.AspNetCore.Http;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.FrontEnd.Http2;

/// <summary>HTTP/2 over TLS (ALPN h2) on a `front-end: fulcrum` listener, with .NET's HttpClient as the client and real Kestrel backends.</summary>
public sealed class Http2FrontEndTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private ListenerConfig Listener(RouteConfig route)
    {
        var (cert, key) = _pki.Write(_pki.Issue(["a.test", "127.0.0.1"]), "a");
        var tls = new ListenerTlsConfig { Certificates = [new CertificateConfig { Cert = cert, Key = key }] };
        return HttpsListenerTests.Secure(tls, route) with { FrontEnd = HttpFrontEnd.Fulcrum };
    }

    private static HttpClient Client(ProxyHarness proxy)
    {
        var client = HttpsListenerTests.HttpsClient(proxy);
        client.DefaultRequestVersion = HttpVersion.Version20;
        client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;
        return client;
    }

    // Echoes the request body, or answers /big?bytes=N with N bytes of a known pattern.
    private static async Task EchoAsync(HttpContext context)
    {
        if (context.Request.Path == "/big")
        {
            var size = int.Parse(context.Request.Query["bytes"]!);
            context.Response.ContentLength = size;
            await context.Response.Body.WriteAsync(Pattern(size));
            return;
        }

        context.Response.Headers["X-Request-Length"] = context.Request.ContentLength?.ToString() ?? "none";
        context.Response.Headers["X-Protocol"] = context.Request.Protocol;
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        context.Response.ContentType = "application/octet-stream";
        await context.Response.Body.WriteAsync(body.ToArray());
    }

    private static PoolConfig Raw(string name, string address) => new() { Name = name, Backends = [new BackendConfig { Address = address }] };

    // A body sent without Content-Length, in pieces.
    private sealed class UnknownLength(byte[] body) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < body.Length; offset += 10_000)
            {
                await stream.WriteAsync(body.AsMemory(offset, Math.Min(10_000, body.Length - offset)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private static byte[] Pattern(int size) => Enumerable.Range(0, size).Select(i => (byte)(i * 7 + i / 251)).ToArray();

    [Fact]
    public async Task Get_OverH2_ReachesTheBackend_AndAnswersWithItsHeaders()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Listener(ToPool("app")), Pool("app", backends.All)));
        using var client = Client(proxy);

        using var response = await client.GetAsync("/echo/x?y=1");

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("a", response.Headers.GetValues("X-Backend").Single());
        Assert.True(response.Headers.Date is not null);
        var echo = await response.Content.ReadFromJsonAsync<TestBackend.Echo>();
        Assert.Equal("/echo/x", echo!.Path);
        Assert.Equal("?y=1", echo.Query);
        Assert.Equal("GET", echo.Method);
        Assert.Equal($"127.0.0.1:{proxy.Plane.BoundEndpoints["web"].Port}", echo.Header("Host"));
    }

    [Fact]
    public async Task ManyConcurrentStreams_OnOneConnection_AllSucceed()
    {
        await using var backends = await Backends.StartAsync("a", "b");
        await using var proxy = await ProxyHarness.StartAsync(Of(Listener(ToPool("app")), Pool("app", backends.All)));
        using var client = Client(proxy);

        var answers = await Task.WhenAll(Enumerable.Range(0, 300).Select(_ => client.GetStringAsync("/")));

        Assert.All(answers, a => Assert.Contains(a, new[] { "a", "b" }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(1_000_000)] // past the stream and connection windows: WINDOW_UPDATEs must flow
    public async Task PostBody_ReachesTheBackend_AndComesBack(int size)
    {
        await using var backend = await HandlerBackend.StartAsync(EchoAsync);
        await using var proxy = await ProxyHarness.StartAsync(Of(Listener(ToPool("app")), Raw("app", backend.Address)));
        using var client = Client(proxy);
        var sent = Pattern(size);

        using var response = await client.PostAsync("/up", new ByteArrayContent(sent));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(size.ToString(), response.Headers.GetValues("X-Request-Length").Single());
        Assert.Equal(sent, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task BodyOverMaxBodySize_Gets413_AndTheConnectionGoesOn()
    {
        await using var backend = await HandlerBackend.StartAsync(EchoAsync);
        var listener = Listener(ToPool("app")) with { Limits = new HttpLimitsConfig { MaxBodySize = 1000 } };
        await using var proxy = await ProxyHarness.StartAsync(Of(listener, Raw("app", backend.Address)));
        using var client = Client(proxy);

        using var large = await client.PostAsync("/up", new UnknownLength(Pattern(200_000)));
        using var small = await client.PostAsync("/up", new ByteArrayContent(Pattern(10)));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        Assert.Equal(Pattern(10), await small.Content.ReadAsByteArrayAsync());
    }

    // A body sent in pieces of `chunk` bytes every `every`, until `total` bytes or the stream is reset under it.
    private sealed class Trickle(int chunk, TimeSpan every, int total) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var sent = 0; sent < total; sent += chunk)
            {
                await stream.WriteAsync(Pattern(chunk));
                await stream.FlushAsync();
                await Task.Delay(every);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = total;
            return true;
        }
    }

    [Fact]
    public async Task BodyBelowMinBodyRate_Gets408AfterTheGrace_AndTheConnectionGoesOn()
    {
        await using var backend = await HandlerBackend.StartAsync(EchoAsync);
        var listener = Listener(ToPool("app")) with { Limits = new HttpLimitsConfig { MinBodyRate = 2000 } };
        await using var proxy = await ProxyHarness.StartAsync(Of(listener, Raw("app", backend.Address)));
        using var client = Client(proxy);
        var started = System.Diagnostics.Stopwatch.StartNew();

        // 100 bytes every 200 ms is at most 500 B/s, far below 2000 B/s: past the 5 s grace the stream is answered 408.
        // (Above the backend Kestrel's own 240 B/s, so the 408 is the proxy's.)
        using var slow = await client.PostAsync("/up", new Trickle(100, TimeSpan.FromMilliseconds(200), 100_000));
        using var next = await client.PostAsync("/up", new ByteArrayContent(Pattern(10)));

        Assert.Equal(HttpStatusCode.RequestTimeout, slow.StatusCode);
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(25));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(Pattern(10), await next.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task BodyAboveMinBodyRate_PastTheGrace_IsServed()
    {
        await using var backend = await HandlerBackend.StartAsync(EchoAsync);
        var listener = Listener(ToPool("app")) with { Limits = new HttpLimitsConfig { MinBodyRate = 2000 } };
        await using var proxy = await ProxyHarness.StartAsync(Of(listener, Raw("app", backend.Address)));
        using var client = Client(proxy);
        var started = System.Diagnostics.Stopwatch.StartNew();

        // 1000 bytes every 100 ms or so: about 10000 B/s, well above 2000 B/s, for longer than the 5 s grace.
        using var response = await client.PostAsync("/up", new Trickle(1000, TimeSpan.FromMilliseconds(100), 64_000));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("64000", response.Headers.GetValues("X-Request-Length").Single());
        Assert.True(started.Elapsed > TimeSpan.FromSeconds(5), "the body was meant to outlast the grace");
    }

    [Fact]
    public async Task StreamedBodyWithoutLength_ReachesTheBackend()
    {
        await using var backend = await HandlerBackend.StartAsync(EchoAsync);
        await using var proxy = await ProxyHarness.StartAsync(Of(Listener(ToPool("app")), Raw("app", backend.Address)));
        using var client = Client(proxy);
        var sent = Pattern(300_000);
        var content = new UnknownLength(sent);

        using var response = await client.PostAsync("/up", content);

        Assert.Equal("none", response.Headers.GetValues("X-Request-Length").Single());
        Assert.Equal(sent, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task LargeResponses_OnParallelStreams_ArriveWhole()
    {
        await using var backend = await HandlerBackend.StartAsync(EchoAsync);
        await using var proxy = await ProxyHarness.StartAsync(Of(Listener(ToPool("app")), Raw("app", backend.Address)));
        using var client = Client(proxy);
        var expected = Pattern(3_000_000);

        var bodies = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.GetByteArrayAsync("/big?bytes=3000000")));

        Assert.All(bodies, b => Assert.True(expected.AsSpan().SequenceEqual(b)));
    }

    [Fact]
    public async Task AnswerOfTheBalancer_GoesOutOnTheStream()
    {
        await using var proxy = await ProxyHarness.StartAsync(Of(Listener(new RouteConfig { Match = new MatchConfig { PathPrefix = "/only/" }, Pool = "app" }), Raw("app", "127.0.0.1:1")));
        using var client = Client(proxy);

        using var response = await client.GetAsync("/elsewhere");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
    }

    [Fact]
    public async Task Http11ByAlpn_StillServedByTheSameListener()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Listener(ToPool("app")), Pool("app", backends.All)));
        using var client = HttpsListenerTests.HttpsClient(proxy);
        client.DefaultRequestVersion = HttpVersion.Version11;
        client.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact;

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpVersion.Version11, response.Version);
        Assert.Equal("a", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task H2cListener_ServesPriorKnowledge_AndHttp11OnTheSamePort()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")) with { FrontEnd = HttpFrontEnd.Fulcrum, H2c = true }, Pool("app", backends.All)));
        using var h2c = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = proxy.Url(),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var overH2 = await h2c.GetAsync("/");
        using var overH1 = await proxy.Client.GetAsync("/");

        Assert.Equal(HttpVersion.Version20, overH2.Version);
        Assert.Equal("a", await overH2.Content.ReadAsStringAsync());
        Assert.Equal(HttpVersion.Version11, overH1.Version);
        Assert.Equal("a", await overH1.Content.ReadAsStringAsync());
    }

    private static async Task<bool> Accepts(int port)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    [Fact]
    public async Task Drain_SendsGoAway_AndLetsTheStreamInFlightFinish()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Listener(ToPool("app")), Pool("app", backends.All)));
        using var client = Client(proxy);
        Assert.Equal("a", await client.GetStringAsync("/"));
        var held = client.GetAsync("/hold");
        await Poll.UntilAsync(() => backends[0].InFlight == 1, "the held request reaching the backend");

        var port = proxy.Plane.BoundEndpoints["web"].Port;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stop = proxy.Plane.StopAsync(deadline.Token);
        await Poll.UntilAsync(async () => !await Accepts(port), "the listener to stop accepting");
        backends[0].ReleaseHeld();

        using var response = await held;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await stop;
    }

    [Fact]
    public async Task AfterATakeover_AnIdleH2Connection_GetsGoAway_AndClosesAtOnce()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Listener(ToPool("app")), Pool("app", backends.All)));
        using var client = Client(proxy);
        Assert.Equal("a", await client.GetStringAsync("/"));

        // The keep-alive timeout (130 s) is far past the deadline: only a GOAWAY closes the idle connection in time.
        proxy.Plane.HandedOver = true;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        await proxy.Plane.StopAsync(deadline.Token).WaitAsync(Poll.Deadline);
        Assert.False(deadline.IsCancellationRequested);
    }

    [Fact]
    public async Task Closing_AnnouncesWithGoAwayAndPing_AndARequestThatCrossedIt_IsServed_BeforeTheFinalGoAway()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")) with { FrontEnd = HttpFrontEnd.Fulcrum, H2c = true }, Pool("app", backends.All)));
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(proxy.Plane.BoundEndpoints["web"]);
        await using var stream = new System.Net.Sockets.NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await stream.WriteAsync(RawFrame(0x4, 0, 0, []));
        await ReadUntilAsync(stream, f => f.Type == 0x4 && f.Flags == 0); // the server's SETTINGS

        proxy.Plane.HandedOver = true;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        var stop = proxy.Plane.StopAsync(deadline.Token);

        // First step: GOAWAY naming 2^31-1, then a PING.
        var notice = await ReadUntilAsync(stream, f => f.Type == 0x7);
        Assert.Equal(int.MaxValue, LastStreamId(notice));
        var ping = await ReadUntilAsync(stream, f => f.Type == 0x6);

        // A request the client sent before it read the GOAWAY (GET / with :authority a), then the PING's ACK.
        await stream.WriteAsync(RawFrame(0x1, 0x5, 1, [0x82, 0x86, 0x84, 0x41, 0x01, (byte)'a']));
        await stream.WriteAsync(RawFrame(0x6, 0x1, 0, ping.Payload));

        // Second step (before or after the answer): the final GOAWAY names that stream; it is answered; then the close.
        var frames = new List<(byte Type, byte Flags, int Stream, byte[] Payload)>();
        try
        {
            while (true) frames.Add(await ReadUntilAsync(stream, _ => true));
        }
        catch (EndOfStreamException)
        {
        }

        Assert.Equal(1, LastStreamId(Assert.Single(frames, f => f.Type == 0x7)));
        var headers = Assert.Single(frames, f => f.Type == 0x1 && f.Stream == 1);
        // :status 200, indexed, after any dynamic table size update (001xxxxx).
        Assert.Equal(0x88, headers.Payload.SkipWhile(b => (b & 0xE0) == 0x20).First());
        await stop.WaitAsync(Poll.Deadline);
        Assert.False(deadline.IsCancellationRequested);
    }

    [Fact]
    public async Task ATakeoverBeforeTheClientsPreface_StillAnswersSettingsFirst_ThenGoAway()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Listener(ToPool("app")), Pool("app", backends.All)));
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        var endpoint = proxy.Plane.BoundEndpoints["web"];
        await socket.ConnectAsync(endpoint);
        await using var tls = new System.Net.Security.SslStream(new System.Net.Sockets.NetworkStream(socket, ownsSocket: false));
        await tls.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "a.test",
            ApplicationProtocols = [System.Net.Security.SslApplicationProtocol.Http2],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });

        // The connection is HTTP/2 (ALPN) but has not sent its preface when the takeover closes it gently.
        proxy.Plane.HandedOver = true;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        var stop = proxy.Plane.StopAsync(deadline.Token);
        await Poll.UntilAsync(async () => !await Accepts(endpoint.Port), "the listener to stop accepting (after the gentle close)");
        await tls.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await tls.WriteAsync(RawFrame(0x4, 0, 0, []));

        // A client fails the handshake when the server's first frame is not SETTINGS (RFC 9113 section 3.4).
        var first = await ReadUntilAsync(tls, _ => true);
        Assert.Equal(0x4, first.Type);
        Assert.Equal(0, first.Flags);
        var goAway = await ReadUntilAsync(tls, f => f.Type == 0x7);
        Assert.Equal(int.MaxValue, LastStreamId(goAway));
        tls.Close();
        await stop.WaitAsync(Poll.Deadline);
    }

    private static byte[] RawFrame(byte type, byte flags, int stream, byte[] payload) =>
    [
        (byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, type, flags,
        (byte)(stream >> 24), (byte)(stream >> 16), (byte)(stream >> 8), (byte)stream, .. payload,
    ];

    private static int LastStreamId((byte Type, byte Flags, int Stream, byte[] Payload) goAway) =>
        System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(goAway.Payload) & int.MaxValue;

    // Reads frames until one matches (the deadline fails the test rather than hang it).
    private static async Task<(byte Type, byte Flags, int Stream, byte[] Payload)> ReadUntilAsync(Stream stream, Func<(byte Type, byte Flags, int Stream, byte[] Payload), bool> wanted)
    {
        using var deadline = new CancellationTokenSource(Poll.Deadline);
        var header = new byte[9];
        while (true)
        {
            await stream.ReadExactlyAsync(header, deadline.Token);
            var payload = new byte[(header[0] << 16) | (header[1] << 8) | header[2]];
            await stream.ReadExactlyAsync(payload, deadline.Token);
            var frame = (header[3], header[4], System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & int.MaxValue, payload);
            if (wanted(frame)) return frame;
        }
    }
}
