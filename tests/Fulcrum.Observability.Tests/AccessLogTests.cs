using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Fulcrum.Core.Configuration;
using Fulcrum.Observability.Tests.Support;

namespace Fulcrum.Observability.Tests;

public sealed class AccessLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fulcrum-access-log-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task JsonAccessLog_HasOneParsableLinePerRequest_WithTheStatusesSent()
    {
        var path = Path.Combine(_dir, "access.log");
        await using var lb = await ObservedBalancer.StartAsync(2, c => c with { AccessLog = new AccessLogConfig { Path = path } });
        for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.OK, await lb.GetAsync("hello?x=1"));
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.NotFound, await lb.GetAsync("?status=404"));

        var lines = await WaitForLinesAsync(path, 15);
        var entries = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(10, entries.Count(e => e.GetProperty("status").GetInt32() == 200));
        Assert.Equal(5, entries.Count(e => e.GetProperty("status").GetInt32() == 404));
        // Round robin: 15 requests over two backends are 8 and 7.
        Assert.Equal([7, 8], entries.GroupBy(e => e.GetProperty("backend").GetString()).Select(g => g.Count()).Order());
        foreach (var e in entries)
        {
            Assert.Equal("web", e.GetProperty("listener").GetString());
            Assert.Equal("http", e.GetProperty("protocol").GetString());
            Assert.Equal("all", e.GetProperty("route").GetString());
            Assert.Equal("app", e.GetProperty("pool").GetString());
            Assert.Equal("GET", e.GetProperty("method").GetString());
            Assert.StartsWith("127.0.0.1:", e.GetProperty("client").GetString(), StringComparison.Ordinal);
            Assert.Equal(32, e.GetProperty("request_id").GetString()!.Length);
            Assert.Equal("success", e.GetProperty("outcome").GetString());
            var wait = e.GetProperty("wait_ms").GetDouble();
            var firstByte = e.GetProperty("first_byte_ms").GetDouble();
            var total = e.GetProperty("total_ms").GetDouble();
            Assert.True(wait >= 0 && wait <= firstByte && firstByte <= total, $"timings out of order: {e}");
            Assert.False(e.GetProperty("affinity_hit").GetBoolean());
        }

        Assert.Equal(10, entries.Count(e => e.GetProperty("path").GetString() == "/hello"));
        await Poll.UntilAsync(async () => PrometheusText.Value(await lb.MetricsAsync(), "fulcrum_access_log_lines_total") == 15, "15 lines counted");
    }

    [Fact]
    public async Task JsonAccessLog_SaysHostQueryAgentReferer_TheBackendsTimings_AndTheEncoding()
    {
        var path = Path.Combine(_dir, "access.log");
        await using var lb = await ObservedBalancer.StartAsync(1, c => c with
        {
            AccessLog = new AccessLogConfig { Path = path },
            Listeners = [c.Listeners[0] with { Routes = [c.Listeners[0].Routes[0] with { Compress = new CompressConfig { MinSize = 0, Types = ["text/*"] } }] }],
        });

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(lb.Web, "page?lang=de&q=a%20b"));
        request.Headers.Host = "shop.example";
        request.Headers.UserAgent.ParseAdd("curl/8.5.0");
        request.Headers.Referrer = new Uri("https://search.example/?q=shop");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        using var response = await lb.Client.SendAsync(request);
        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        await lb.GetAsync("plain"); // a second request on the kept-alive connection to the backend: no connect to time

        var lines = (await WaitForLinesAsync(path, 2)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var first = lines[0];
        Assert.Equal("shop.example", first.GetProperty("host").GetString());
        Assert.Equal("lang=de&q=a%20b", first.GetProperty("query").GetString());
        Assert.Equal("curl/8.5.0", first.GetProperty("user_agent").GetString());
        Assert.Equal("https://search.example/?q=shop", first.GetProperty("referer").GetString());
        Assert.Equal("gzip", first.GetProperty("encoding").GetString());
        Assert.False(first.TryGetProperty("cache", out _), "no cache on the route: no cache field");
        var connect = first.GetProperty("upstream_connect_ms").GetDouble();
        var header = first.GetProperty("upstream_header_ms").GetDouble();
        var upstream = first.GetProperty("upstream_total_ms").GetDouble();
        var total = first.GetProperty("total_ms").GetDouble();
        Assert.True(connect > 0 && connect <= header && header <= upstream && upstream <= total, $"timings out of order: {first}");
        var second = lines[1];
        Assert.Equal(JsonValueKind.Null, second.GetProperty("upstream_connect_ms").ValueKind);
        Assert.True(second.GetProperty("upstream_header_ms").GetDouble() > 0);
        Assert.False(second.TryGetProperty("query", out _));
        Assert.False(second.TryGetProperty("encoding", out _));
    }

    [Fact]
    public async Task JsonAccessLog_CountsChunkedBodies_InBothDirections_AndInTheListenerBytes()
    {
        var path = Path.Combine(_dir, "access.log");
        await using var backend = await ChunkedBackend.StartAsync();
        await using var lb = await ObservedBalancer.StartAsync(1, c => c with
        {
            AccessLog = new AccessLogConfig { Path = path },
            Pools = [c.Pools[0] with { Backends = [new BackendConfig { Name = "chunky", Address = backend.Address }] }],
        });

        using var request = new HttpRequestMessage(HttpMethod.Post, lb.Web) { Content = new UnknownLengthContent(new byte[1234]) };
        using var response = await lb.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TransferEncodingChunked, "the backend's answer should be chunked");
        Assert.Equal(ChunkedBackend.ResponseBytes, (await response.Content.ReadAsByteArrayAsync()).Length);

        var line = JsonDocument.Parse(Assert.Single(await WaitForLinesAsync(path, 1))).RootElement;
        Assert.Equal(1234, line.GetProperty("bytes_in").GetInt64());
        Assert.Equal(ChunkedBackend.ResponseBytes, line.GetProperty("bytes_out").GetInt64());
        var metrics = await lb.MetricsAsync();
        Assert.Equal(1234, PrometheusText.Value(metrics, "fulcrum_listener_bytes_received_total{listener=\"web\"}"));
        Assert.Equal(ChunkedBackend.ResponseBytes, PrometheusText.Value(metrics, "fulcrum_listener_bytes_sent_total{listener=\"web\"}"));
    }

    [Fact]
    public async Task TemplateAccessLog_WritesTheNamedFields()
    {
        var path = Path.Combine(_dir, "access.log");
        var log = new AccessLogConfig { Path = path, Format = "{client} {method} {path} {status} {backend} {total_ms}" };
        await using var lb = await ObservedBalancer.StartAsync(1, c => c with { AccessLog = log });
        await lb.GetAsync("page");

        var line = Assert.Single(await WaitForLinesAsync(path, 1));
        var fields = line.Split(' ');
        Assert.Equal(6, fields.Length);
        Assert.Equal(["GET", "/page", "200", "b1"], fields[1..5]);
    }

    [Fact]
    public async Task AccessLog_ToAFifoNobodyReads_DropsAndCountsLines_WhileTrafficFlows()
    {
        var fifo = Path.Combine(_dir, "stalled.fifo");
        var (code, output) = await Tools.RunAsync("mkfifo", fifo);
        Assert.True(code == 0, output);
        var log = new AccessLogConfig { Path = fifo, Buffer = 50 };
        await using var lb = await ObservedBalancer.StartAsync(1, c => c with { AccessLog = log });

        // 200 requests with 50 lines of room and a writer that never gets to write: all are served, 150+ dropped.
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 200; i++) Assert.Equal(HttpStatusCode.OK, await lb.GetAsync());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"200 requests took {clock.Elapsed}");

        await Poll.UntilAsync(async () => PrometheusText.Value(await lb.MetricsAsync(), "fulcrum_access_log_dropped_total") >= 150,
            "150 dropped lines to be counted");
        Assert.Equal(0, PrometheusText.Value(await lb.MetricsAsync(), "fulcrum_access_log_lines_total"));
    }

    [Fact]
    public async Task AccessLog_ListenerOverride_TurnsItOffForThatListener()
    {
        var path = Path.Combine(_dir, "access.log");
        await using var lb = await ObservedBalancer.StartAsync(1, c => c with
        {
            AccessLog = new AccessLogConfig { Path = path },
            Listeners = [c.Listeners[0] with { AccessLog = new AccessLogConfig { Enabled = false } }],
        });
        for (var i = 0; i < 3; i++) await lb.GetAsync();
        Assert.Equal(0, PrometheusText.Value(await lb.MetricsAsync(), "fulcrum_access_log_lines_total"));
        Assert.False(File.Exists(path) && new FileInfo(path).Length > 0);
    }

    [Fact]
    public async Task TcpAccessLog_HasOneLinePerConnection_WithBytesAndConnectTime()
    {
        var path = Path.Combine(_dir, "tcp.log");
        await using var lb = await ObservedBalancer.StartAsync(1, c => c with
        {
            Listeners = [.. c.Listeners, new ListenerConfig
            {
                Name = "raw", Bind = new BindAddress(IPAddress.Loopback, 0), Protocol = ListenerProtocol.Tcp, Pool = "app",
                AccessLog = new AccessLogConfig { Path = path },
            }],
        });
        var raw = lb.Host.BoundEndpoints["raw"];
        using (var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }))
        {
            Assert.Equal("b1", (await client.GetStringAsync(new Uri($"http://{raw}/"))).Trim());
        } // disposing the client closes its connection: that ends the tcp connection's line

        var line = JsonDocument.Parse(Assert.Single(await WaitForLinesAsync(path, 1))).RootElement;
        Assert.Equal("raw", line.GetProperty("listener").GetString());
        Assert.Equal("tcp", line.GetProperty("protocol").GetString());
        Assert.Equal("b1", line.GetProperty("backend").GetString());
        // Named from the descriptor itself where the ring keeps no runtime socket for it.
        Assert.StartsWith("127.0.0.1:", line.GetProperty("client").GetString());
        Assert.True(line.GetProperty("bytes_in").GetInt64() > 0);
        Assert.True(line.GetProperty("bytes_out").GetInt64() > 0);
        Assert.True(line.GetProperty("connect_ms").GetDouble() >= 0);
        Assert.False(line.TryGetProperty("status", out _));
    }

    private static async Task<string[]> WaitForLinesAsync(string path, int count)
    {
        string[] lines = [];
        await Poll.UntilAsync(() =>
        {
            lines = File.Exists(path) ? File.ReadAllLines(path) : [];
            return lines.Length >= count;
        }, $"{count} lines in {path}");
        return lines;
    }
}
