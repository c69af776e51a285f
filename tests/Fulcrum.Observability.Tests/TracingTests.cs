using System.Diagnostics;
using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.Hosting;
using Fulcrum.Observability.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.Observability.Tests;

public sealed class TracingTests
{
    private static FulcrumConfig Config(string backend, bool tracing) => new()
    {
        Tracing = tracing ? new TracingConfig { Enabled = true } : null,
        Listeners = [new ListenerConfig { Name = "web", Bind = new BindAddress(IPAddress.Loopback, 0), Routes = [new RouteConfig { Pool = "app" }] }],
        Pools = [new PoolConfig { Name = "app", Backends = [new BackendConfig { Name = "echo", Address = backend }] }],
    };

    [Fact]
    public async Task Tracing_On_SendsATraceparentNamingFulcrumsSpan_InTheClientsTrace()
    {
        await using var echo = await HeaderEchoBackend.StartAsync();
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Fulcrum",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (spans) spans.Add(a); },
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = new BalancerHost(Config(echo.Address, tracing: true), NullLoggerFactory.Instance);
        await host.StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, ActivityHeadersPropagator = null });
        const string ClientTrace = "0af7651916cd43dd8448eb211c80319c";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{host.BoundEndpoints["web"]}/orders");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{ClientTrace}-b7ad6b7169203331-01");

        using var response = await client.SendAsync(request);
        var seen = await response.Content.ReadAsStringAsync();

        // 00-<same trace>-<a new span: Fulcrum's>-01
        var parts = seen.Split('-');
        Assert.Equal(4, parts.Length);
        Assert.Equal(ClientTrace, parts[1]);
        Assert.NotEqual("b7ad6b7169203331", parts[2]);
        Activity span;
        await Poll.UntilAsync(() => { lock (spans) return spans.Exists(s => s.TraceId.ToHexString() == ClientTrace); }, "the span to stop");
        lock (spans) span = spans.Single(s => s.TraceId.ToHexString() == ClientTrace);
        Assert.Equal(parts[2], span.SpanId.ToHexString());
        Assert.Equal("b7ad6b7169203331", span.ParentSpanId.ToHexString());
        Assert.Equal(ActivityKind.Server, span.Kind);
        Assert.Equal(200, span.GetTagItem("http.response.status_code"));
        Assert.Equal("echo", span.GetTagItem("fulcrum.backend"));
        Assert.Equal("/orders", span.GetTagItem("url.path"));
        await host.StopAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Tracing_Off_SendsNoTraceparent()
    {
        await using var echo = await HeaderEchoBackend.StartAsync();
        await using var host = new BalancerHost(Config(echo.Address, tracing: false), NullLoggerFactory.Instance);
        await host.StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, ActivityHeadersPropagator = null });

        var seen = await client.GetStringAsync(new Uri($"http://{host.BoundEndpoints["web"]}/"));

        Assert.Equal("", seen);
        await host.StopAsync(TimeSpan.FromSeconds(5));
    }
}
