using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Observability.Tests.Support;

namespace Fulcrum.Observability.Tests;

public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Metrics_PassPromtoolCheck()
    {
        await using var lb = await ObservedBalancer.StartAsync(2);
        for (var i = 0; i < 10; i++) await lb.GetAsync();
        var text = await lb.MetricsAsync();

        var promtool = Tools.Find("promtool");
        if (promtool is null)
        {
            Assert.Fail("promtool is not installed: run scripts/install-deps.sh (Debian package prometheus)");
        }

        var (code, output) = await Tools.RunAsync(promtool, "check metrics", stdin: text);
        Assert.True(code == 0, $"promtool check metrics failed:\n{output}");
        Assert.Contains("# TYPE fulcrum_backend_request_duration_seconds histogram", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_CountRequestsPerRoute_ByStatusClass_WithALatencyHistogram()
    {
        await using var lb = await ObservedBalancer.StartAsync(1, c => c with
        {
            Listeners = [c.Listeners[0] with
            {
                Routes = [new RouteConfig { Name = "hello", Match = new MatchConfig { PathPrefix = "/hello" }, Respond = new FixedResponseConfig { Body = "hi" } }, .. c.Listeners[0].Routes],
            }],
        });
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, await lb.GetAsync("hello"));
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, await lb.GetAsync());
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.NotFound, await lb.GetAsync("?status=404"));

        string text = "";
        await Poll.UntilAsync(async () =>
        {
            text = await lb.MetricsAsync();
            return PrometheusText.Value(text, "fulcrum_listener_requests_total{listener=\"web\"}") >= 10;
        }, "the listener to count 10 requests");

        Assert.Equal(3, PrometheusText.Value(text, "fulcrum_route_requests_total{listener=\"web\",route=\"hello\",class=\"2xx\"}"));
        Assert.Equal(5, PrometheusText.Value(text, "fulcrum_route_requests_total{listener=\"web\",route=\"all\",class=\"2xx\"}"));
        Assert.Equal(2, PrometheusText.Value(text, "fulcrum_route_requests_total{listener=\"web\",route=\"all\",class=\"4xx\"}"));
        Assert.Equal(0, PrometheusText.Value(text, "fulcrum_route_requests_total{listener=\"web\",route=\"all\",class=\"5xx\"}"));
        Assert.Contains("# TYPE fulcrum_route_request_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Equal(7, PrometheusText.Value(text, "fulcrum_route_request_duration_seconds_count{listener=\"web\",route=\"all\"}"));
        Assert.Equal(7, PrometheusText.Value(text, "fulcrum_route_request_duration_seconds_bucket{listener=\"web\",route=\"all\",le=\"+Inf\"}"));
        Assert.Equal(3, PrometheusText.Value(text, "fulcrum_route_request_duration_seconds_bucket{listener=\"web\",route=\"hello\",le=\"+Inf\"}"));
        Assert.True(PrometheusText.Value(text, "fulcrum_route_request_duration_seconds_sum{listener=\"web\",route=\"all\"}") > 0);
    }

    [Fact]
    public async Task Metrics_CountRequestsPerBackend_ByStatusClass_AndPerListener()
    {
        await using var lb = await ObservedBalancer.StartAsync(2);
        for (var i = 0; i < 6; i++) Assert.Equal(HttpStatusCode.OK, await lb.GetAsync());
        for (var i = 0; i < 4; i++) Assert.Equal(HttpStatusCode.NotFound, await lb.GetAsync("?status=404"));
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.InternalServerError, await lb.GetAsync("?status=500"));

        string text = "";
        // The listener's count is taken as Kestrel retires the request, just after the client has its answer.
        await Poll.UntilAsync(async () =>
        {
            text = await lb.MetricsAsync();
            return PrometheusText.Value(text, "fulcrum_listener_requests_total{listener=\"web\"}") >= 12;
        }, "the listener to count 12 requests");

        // Round robin over two backends: each got half of every kind.
        foreach (var b in new[] { "b1", "b2" })
        {
            Assert.Equal(3, PrometheusText.Value(text, $"fulcrum_backend_requests_total{{pool=\"app\",backend=\"{b}\",class=\"2xx\"}}"));
            Assert.Equal(2, PrometheusText.Value(text, $"fulcrum_backend_requests_total{{pool=\"app\",backend=\"{b}\",class=\"4xx\"}}"));
            Assert.Equal(1, PrometheusText.Value(text, $"fulcrum_backend_requests_total{{pool=\"app\",backend=\"{b}\",class=\"5xx\"}}"));
            Assert.Equal(0, PrometheusText.Value(text, $"fulcrum_backend_requests_total{{pool=\"app\",backend=\"{b}\",class=\"none\"}}"));
            Assert.Equal(6, PrometheusText.Value(text, $"fulcrum_backend_request_duration_seconds_count{{pool=\"app\",backend=\"{b}\"}}"));
            Assert.Equal(6, PrometheusText.Value(text, $"fulcrum_backend_request_duration_seconds_bucket{{pool=\"app\",backend=\"{b}\",le=\"+Inf\"}}"));
            Assert.Equal(1, PrometheusText.Value(text, $"fulcrum_backend_up{{pool=\"app\",backend=\"{b}\"}}"));
            Assert.Equal(1, PrometheusText.Value(text, $"fulcrum_backend_state{{pool=\"app\",backend=\"{b}\",state=\"up\"}}"));
        }

        Assert.True(PrometheusText.Value(text, "fulcrum_listener_connections_total{listener=\"web\"}") >= 1);
        Assert.True(PrometheusText.Value(text, "fulcrum_process_cpu_seconds_total") > 0);
        Assert.True(PrometheusText.Value(text, "fulcrum_process_gc_allocated_bytes_total") > 0);
    }

    [Fact]
    public async Task Metrics_UdpListener_ExportsSessionsBytesAndDatagrams()
    {
        using var echo = new UdpEchoBackend();
        await using var lb = await ObservedBalancer.StartAsync(1, c => c with
        {
            Listeners = [.. c.Listeners, new ListenerConfig { Name = "dns", Bind = new BindAddress(IPAddress.Loopback, 0), Protocol = ListenerProtocol.Udp, Pool = "udp" }],
            Pools = [.. c.Pools, new PoolConfig { Name = "udp", Backends = [new BackendConfig { Address = echo.Address }] }],
        });
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var buffer = new byte[64];
        for (var i = 0; i < 2; i++)
        {
            await client.SendToAsync("hello"u8.ToArray(), SocketFlags.None, lb.Host.BoundEndpoints["dns"]);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            Assert.Equal(5, await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token));
        }

        string text = "";
        await Poll.UntilAsync(async () =>
        {
            text = await lb.MetricsAsync();
            return PrometheusText.Value(text, "fulcrum_listener_datagrams_sent_total{listener=\"dns\"}") == 2;
        }, "two replies counted");
        Assert.Equal(2, PrometheusText.Value(text, "fulcrum_listener_datagrams_received_total{listener=\"dns\"}"));
        Assert.Equal(10, PrometheusText.Value(text, "fulcrum_listener_bytes_received_total{listener=\"dns\"}"));
        Assert.Equal(10, PrometheusText.Value(text, "fulcrum_listener_bytes_sent_total{listener=\"dns\"}"));
        Assert.Equal(1, PrometheusText.Value(text, "fulcrum_listener_connections_total{listener=\"dns\"}"));
        Assert.Equal(1, PrometheusText.Value(text, "fulcrum_listener_connections_active{listener=\"dns\"}"));
        Assert.DoesNotContain("fulcrum_listener_datagrams_received_total{listener=\"web\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_CountConnectFailures_AndDrains()
    {
        await using var lb = await ObservedBalancer.StartAsync(2);
        await lb.Backends[1].DisposeAsync(); // b2 refuses connections from now on
        for (var i = 0; i < 4; i++) await lb.GetAsync();
        using (var drain = await lb.Client.PostAsync(new Uri(lb.Admin, "api/pools/app/backends/b1/drain"), null))
        {
            Assert.Equal(HttpStatusCode.OK, drain.StatusCode);
        }

        var text = await lb.MetricsAsync();
        Assert.True(PrometheusText.Value(text, "fulcrum_backend_errors_total{pool=\"app\",backend=\"b2\",kind=\"connect\"}") >= 1);
        Assert.Equal(1, PrometheusText.Value(text, "fulcrum_backend_drains_total{pool=\"app\",backend=\"b1\"}"));
        Assert.Equal(1, PrometheusText.Value(text, "fulcrum_backend_state{pool=\"app\",backend=\"b1\",state=\"draining\"}"));
    }
}
