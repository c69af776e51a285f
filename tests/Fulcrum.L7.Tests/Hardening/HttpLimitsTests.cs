using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;

namespace Fulcrum.L7.Tests.Hardening;

/// <summary>A listener's `limits:`: sizes answered with 414, 431 and 413, and slow or idle clients cut off, on either front end.</summary>
public sealed class HttpLimitsTests
{
    public static TheoryData<HttpFrontEnd> FrontEnds => [HttpFrontEnd.Kestrel, HttpFrontEnd.Fulcrum];

    private static async Task<(RecordingBackend Backend, ProxyHarness Proxy)> StartAsync(HttpLimitsConfig limits, HttpFrontEnd frontEnd)
    {
        var backend = new RecordingBackend();
        var pool = new PoolConfig { Name = "app", Backends = [new BackendConfig { Address = backend.Address }], Retries = new RetryConfig { Attempts = 1 } };
        var proxy = await ProxyHarness.StartAsync(Configs.Of(Configs.Web(Configs.ToPool("app")) with { Limits = limits, FrontEnd = frontEnd }, pool));
        return (backend, proxy);
    }

    private static int Requests(RecordingBackend backend) => backend.Received.Sum(c => BackendRules.Inspect(c).Requests);

    [Theory]
    [MemberData(nameof(FrontEnds))]
    public async Task BodyOverMaxBodySize_Gets413_BeforeTheBackendHearsOfIt_ChunkedOrNot(HttpFrontEnd frontEnd)
    {
        var (backend, proxy) = await StartAsync(new HttpLimitsConfig { MaxBodySize = 1000 }, frontEnd);
        await using var _ = backend;
        await using var __ = proxy;
        var endpoint = proxy.Plane.BoundEndpoints["web"];

        Assert.Equal("413+close", await ClientProbe.VerdictAsync(endpoint, Encoding.ASCII.GetBytes($"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n{new string('x', 1001)}")));
        var chunk = new string('x', 600);
        Assert.Equal("413+close", await ClientProbe.VerdictAsync(endpoint, Encoding.ASCII.GetBytes(
            $"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n{chunk}\r\n258\r\n{chunk}\r\n0\r\n\r\n")));
        Assert.Equal(0, Requests(backend));

        Assert.Equal("200", await ClientProbe.VerdictAsync(endpoint, Encoding.ASCII.GetBytes($"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n{new string('x', 1000)}")));
    }

    [Theory]
    [MemberData(nameof(FrontEnds))]
    public async Task RequestLineAndHeaderLimits_AreTheConfiguredOnes(HttpFrontEnd frontEnd)
    {
        var (backend, proxy) = await StartAsync(new HttpLimitsConfig { MaxRequestLine = 1024, MaxHeaderSize = 2048, MaxHeaders = 10 }, frontEnd);
        await using var _ = backend;
        await using var __ = proxy;
        var endpoint = proxy.Plane.BoundEndpoints["web"];

        Assert.Equal("414+close", await ClientProbe.VerdictAsync(endpoint, Encoding.ASCII.GetBytes($"GET /{new string('a', 1100)} HTTP/1.1\r\nHost: a\r\n\r\n")));
        Assert.Equal("431+close", await ClientProbe.VerdictAsync(endpoint, Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: a\r\nX-A: {new string('a', 2100)}\r\n\r\n")));
        var many = string.Concat(Enumerable.Range(0, 11).Select(i => $"X-{i}: v\r\n"));
        Assert.Equal("431+close", await ClientProbe.VerdictAsync(endpoint, Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: a\r\n{many}\r\n")));
        Assert.Equal("200", await ClientProbe.VerdictAsync(endpoint, Encoding.ASCII.GetBytes($"GET /{new string('a', 900)} HTTP/1.1\r\nHost: a\r\n\r\n")));
    }

    [Theory]
    [MemberData(nameof(FrontEnds))]
    public async Task HeadersTrickledPastHeaderTimeout_AreCutOff_WhileOtherClientsAreServed(HttpFrontEnd frontEnd)
    {
        var (backend, proxy) = await StartAsync(new HttpLimitsConfig { HeaderTimeout = TimeSpan.FromSeconds(1) }, frontEnd);
        await using var _ = backend;
        await using var __ = proxy;
        var endpoint = proxy.Plane.BoundEndpoints["web"];
        using var slow = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await slow.ConnectAsync(endpoint);
        var started = Stopwatch.StartNew();
        var head = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: " + new string('s', 200));

        // Slowloris: a byte every 100 ms, never the end of the head. Fulcrum must close it soon after the timeout.
        var closed = false;
        for (var i = 0; i < head.Length && started.Elapsed < TimeSpan.FromSeconds(20); i++)
        {
            try
            {
                await slow.SendAsync(head.AsMemory(i, 1));
            }
            catch (SocketException)
            {
                closed = true;
                break;
            }

            if (slow.Poll(100_000, SelectMode.SelectRead))
            {
                closed = true; // readable: a 408 or the end of the stream
                break;
            }

            if (i == 3) Assert.Equal("200", await ClientProbe.VerdictAsync(endpoint, Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n")));
        }

        Assert.True(closed, "the trickling client was never cut off");
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(15));
    }

    [Theory]
    [MemberData(nameof(FrontEnds))]
    public async Task BodySentBelowMinBodyRate_IsCutOffAfterTheGrace(HttpFrontEnd frontEnd)
    {
        var (backend, proxy) = await StartAsync(new HttpLimitsConfig { MinBodyRate = 1000 }, frontEnd);
        await using var _ = backend;
        await using var __ = proxy;
        using var slow = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await slow.ConnectAsync(proxy.Plane.BoundEndpoints["web"]);
        await slow.SendAsync(Encoding.ASCII.GetBytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n"));
        var started = Stopwatch.StartNew();

        // Ten bytes every 200 ms is 50 B/s, far below 1000 B/s: after the 5 s grace the front end gives up on the body.
        var closed = false;
        while (!closed && started.Elapsed < TimeSpan.FromSeconds(25))
        {
            try
            {
                await slow.SendAsync("xxxxxxxxxx"u8.ToArray());
            }
            catch (SocketException)
            {
                closed = true;
                break;
            }

            closed = slow.Poll(200_000, SelectMode.SelectRead);
        }

        Assert.True(closed, "the slow body was never cut off");
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(25));
        Assert.Equal(0, Requests(backend)); // the backend never got a whole request
    }

    [Theory]
    [MemberData(nameof(FrontEnds))]
    public async Task BodySentAboveMinBodyRate_PastTheGrace_IsServed(HttpFrontEnd frontEnd)
    {
        var (backend, proxy) = await StartAsync(new HttpLimitsConfig { MinBodyRate = 1000 }, frontEnd);
        await using var _ = backend;
        await using var __ = proxy;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(proxy.Plane.BoundEndpoints["web"]);
        const int Length = 32_000;
        await client.SendAsync(Encoding.ASCII.GetBytes($"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: {Length}\r\n\r\n"));

        // 500 bytes every 100 ms or so: about 5000 B/s, well above 1000 B/s, for longer than the 5 s grace.
        var chunk = Encoding.ASCII.GetBytes(new string('x', 500));
        var started = Stopwatch.StartNew();
        for (var sent = 0; sent < Length; sent += chunk.Length)
        {
            await client.SendAsync(chunk);
            await Task.Delay(100);
        }

        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = await client.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(buffer, 0, read));
        Assert.True(started.Elapsed > TimeSpan.FromSeconds(5), "the body was meant to outlast the grace");
    }

    [Theory]
    [MemberData(nameof(FrontEnds))]
    public async Task IdleKeepAliveConnection_IsClosedAfterKeepAliveTimeout(HttpFrontEnd frontEnd)
    {
        var (backend, proxy) = await StartAsync(new HttpLimitsConfig { KeepAliveTimeout = TimeSpan.FromSeconds(1) }, frontEnd);
        await using var _ = backend;
        await using var __ = proxy;
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(proxy.Plane.BoundEndpoints["web"]);
        await client.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
        var buffer = new byte[4096];
        var read = await client.ReceiveAsync(buffer);
        Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(buffer, 0, read));

        // Idle from here: the next read ends (0 bytes) when Fulcrum closes the connection.
        var idle = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await client.ReceiveAsync(buffer, SocketFlags.None, deadline.Token) > 0)
        {
        }

        Assert.InRange(idle.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(25));
    }

    [Theory]
    [MemberData(nameof(FrontEnds))]
    public async Task ReloadWithOtherLimits_RestartsTheListenerWithThem(HttpFrontEnd frontEnd)
    {
        var (backend, proxy) = await StartAsync(HttpLimitsConfig.Default, frontEnd);
        await using var _ = backend;
        await using var __ = proxy;
        var body = Encoding.ASCII.GetBytes($"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\n\r\n{new string('x', 2000)}");
        Assert.Equal("200", await ClientProbe.VerdictAsync(proxy.Plane.BoundEndpoints["web"], body));

        var config = proxy.Store.Current.Config;
        proxy.Store.Apply(config with { Listeners = [config.Listeners[0] with { Limits = new HttpLimitsConfig { MaxBodySize = 1000 } }] });
        await proxy.Plane.Reconciled;

        Assert.Equal("413+close", await ClientProbe.VerdictAsync(proxy.Plane.BoundEndpoints["web"], body));
    }
}
