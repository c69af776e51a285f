using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.FrontEnd;

/// <summary>
/// The own front end forwards request and response heads as edited bytes (docs/design.md, "Heads as bytes"): what
/// the backend and the client receive must be what the header dictionaries gave before.
/// </summary>
public sealed class HeadBytesTests
{
    private const string Answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    [Fact]
    public async Task ForwardingHeaderTheBalancerSets_WinsOverTheClients()
    {
        await using var setup = await Setup.StartAsync(_ => Answer);

        await setup.SendAsync("GET /a HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 6.6.6.6\r\nx-forwarded-proto: gopher\r\nX-Real-IP: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\nX-Request-ID: mine\r\n\r\n");

        var request = setup.Single();
        Assert.Equal(new[] { "127.0.0.1" }, request.Values("X-Forwarded-For"));
        Assert.Equal(new[] { "http" }, request.Values("X-Forwarded-Proto"));
        Assert.Equal(new[] { "h" }, request.Values("X-Forwarded-Host"));
        Assert.Empty(request.Values("X-Real-IP"));
        Assert.Empty(request.Values("Forwarded"));
        Assert.NotEqual("mine", Assert.Single(request.Values("X-Request-ID")));
    }

    [Fact]
    public async Task HopByHopHeaders_AndThoseConnectionNames_DoNotReachTheBackend()
    {
        await using var setup = await Setup.StartAsync(_ => Answer);

        await setup.SendAsync("GET / HTTP/1.1\r\nHost: h\r\nConnection: X-Hop, keep-alive\r\nX-Hop: 1\r\nKeep-Alive: 5\r\nTE: trailers\r\n"
            + "Proxy-Connection: keep-alive\r\nTrailer: X-T\r\nUpgrade: websocket\r\nX-Kept: yes\r\n\r\n");

        var request = setup.Single();
        foreach (var name in (string[])["Connection", "X-Hop", "Keep-Alive", "TE", "Proxy-Connection", "Trailer", "Upgrade"]) Assert.Empty(request.Values(name));
        Assert.Equal(new[] { "yes" }, request.Values("X-Kept"));
        Assert.Equal(new[] { "h" }, request.Values("Host"));
    }

    [Fact]
    public async Task RepeatedHeaders_GoAsRepeatedLines_AndRepeatedCookies_AsOneLine()
    {
        await using var setup = await Setup.StartAsync(_ => Answer);

        await setup.SendAsync("GET / HTTP/1.1\r\nHost: h\r\nX-Multi: 1\r\nCookie: a=1\r\nx-multi: 2\r\nCookie: b=2\r\nX-Empty:\r\nuser-agent:  t  \r\n\r\n");

        var request = setup.Single();
        Assert.Equal(new[] { "1", "2" }, request.Values("X-Multi"));
        Assert.Equal(new[] { "a=1; b=2" }, request.Values("Cookie"));
        Assert.Equal(new[] { "" }, request.Values("X-Empty"));
        Assert.Contains("\r\nUser-Agent: t\r\n", request.Head, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RouteHeaderEdits_StillWinOverTheClientsHeaders()
    {
        var transforms = new TransformsConfig
        {
            RequestHeaders = new HeaderEdits { Set = [new("X-A", "route")], Remove = ["X-Gone"] },
        };
        await using var setup = await Setup.StartAsync(_ => Answer, transforms);

        await setup.SendAsync("GET / HTTP/1.1\r\nHost: h\r\nX-A: client\r\nX-Gone: 1\r\nX-B: b\r\n\r\n");

        var request = setup.Single();
        Assert.Equal(new[] { "route" }, request.Values("X-A"));
        Assert.Empty(request.Values("X-Gone"));
        Assert.Equal(new[] { "b" }, request.Values("X-B"));
    }

    [Fact]
    public async Task ResponseHead_ReachesTheClient_WithItsOwnFieldsAndTheBalancersRequestId()
    {
        const string response = "HTTP/1.1 201 Created\r\nServer: raw\r\ncontent-type: text/plain\r\nX-Request-ID: backend\r\nConnection: keep-alive, X-Secret\r\n"
            + "X-Secret: s\r\nKeep-Alive: timeout=5\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Tight:v\r\nDate: Sun, 06 Dec 2026 20:00:00 GMT\r\nContent-Length: 2\r\n\r\nok";
        await using var setup = await Setup.StartAsync(_ => response);

        var answer = await setup.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 201 Created\r\n", answer, StringComparison.Ordinal);
        var head = answer[..answer.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        Assert.Equal(new[] { "raw" }, Values(head, "Server"));
        Assert.Contains("\r\nContent-Type: text/plain\r\n", head, StringComparison.Ordinal);
        Assert.Equal(new[] { "a=1", "b=2" }, Values(head, "Set-Cookie"));
        Assert.Equal(new[] { "v" }, Values(head, "X-Tight"));
        Assert.Equal(new[] { "Sun, 06 Dec 2026 20:00:00 GMT" }, Values(head, "Date"));
        Assert.Equal(new[] { "2" }, Values(head, "Content-Length"));
        Assert.Empty(Values(head, "X-Secret"));
        Assert.Empty(Values(head, "Keep-Alive"));
        Assert.Empty(Values(head, "Connection"));
        var id = Assert.Single(Values(head, "X-Request-ID"));
        Assert.NotEqual("backend", id);
        Assert.Equal(id, setup.Single().Values("X-Request-ID").Single());
        Assert.EndsWith("\r\n\r\nok", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResponseHeaderEdits_OfTheRoute_StillApply()
    {
        var transforms = new TransformsConfig
        {
            ResponseHeaders = new HeaderEdits { Set = [new("Server", "edited")], Remove = ["X-Gone"] },
        };
        await using var setup = await Setup.StartAsync(_ => "HTTP/1.1 200 OK\r\nServer: raw\r\nX-Gone: 1\r\nX-Kept: k\r\nContent-Length: 2\r\n\r\nok", transforms);

        var answer = await setup.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n\r\n");

        var head = answer[..answer.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        Assert.Equal(new[] { "edited" }, Values(head, "Server"));
        Assert.Empty(Values(head, "X-Gone"));
        Assert.Equal(new[] { "k" }, Values(head, "X-Kept"));
        Assert.Single(Values(head, "Date"));
    }

    private static List<string> Values(string head, string name)
    {
        var values = new List<string>();
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Equals(name, StringComparison.OrdinalIgnoreCase)) values.Add(line[(colon + 1)..].Trim());
        }

        return values;
    }

    private sealed class Setup : IAsyncDisposable
    {
        private readonly ConcurrentQueue<RawRequest> _received = new();
        private RawBackend _backend = null!;
        private ProxyHarness _proxy = null!;

        public static async Task<Setup> StartAsync(Func<RawRequest, string> respond, TransformsConfig? transforms = null)
        {
            var setup = new Setup();
            setup._backend = RawBackend.KeepAlive(request =>
            {
                setup._received.Enqueue(request);
                return respond(request);
            });
            var pool = new PoolConfig { Name = "app", Backends = [new BackendConfig { Address = setup._backend.Address }], Retries = new RetryConfig { Attempts = 1 } };
            setup._proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app", transforms: transforms)) with { FrontEnd = HttpFrontEnd.Fulcrum }, pool));
            return setup;
        }

        public Received Single() => new(Assert.Single(_received).Head);

        /// <summary>Sends one request on a fresh connection and returns the whole response (head and a Content-Length body).</summary>
        public async Task<string> SendAsync(string request)
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(_proxy.Plane.BoundEndpoints["web"]);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await socket.SendAsync(Encoding.Latin1.GetBytes(request), SocketFlags.None, timeout.Token);
            var buffer = new byte[64 * 1024];
            var length = 0;
            while (true)
            {
                var text = Encoding.Latin1.GetString(buffer, 0, length);
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end >= 0)
                {
                    var declared = Values(text[..end], "Content-Length");
                    if (declared.Count == 1 && length >= end + 4 + int.Parse(declared[0], System.Globalization.CultureInfo.InvariantCulture)) return text;
                }

                var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, timeout.Token);
                if (read == 0) return Encoding.Latin1.GetString(buffer, 0, length);
                length += read;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _proxy.DisposeAsync();
            await _backend.DisposeAsync();
        }
    }

    private sealed record Received(string Head)
    {
        public List<string> Values(string name) => HeadBytesTests.Values(Head, name);
    }
}
