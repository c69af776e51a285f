using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

public sealed class ProtectionParserTests
{
    private static ConfigLoadResult Load(string poolKeys, string routeKeys = "", string protocol = "http") => ConfigLoader.LoadText($$"""
        listeners:
          - name: web
            bind: 127.0.0.1:8080
            protocol: {{protocol}}
            {{(protocol is "http" or "https" ? "routes: [ { pool: app" + routeKeys + " } ]" : "pool: app")}}
        pools:
          - name: app
            backends: [ { address: 127.0.0.1:9001 } ]
            {{poolKeys}}
        """, "f.yaml");

    [Fact]
    public void CircuitBreaker_ReadsEveryKey()
    {
        var result = Load("circuit-breaker: { max-connections: 100, max-pending: 0, max-requests: 200, max-retries: 5 }");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var b = result.Config!.Pools[0].CircuitBreaker!;
        Assert.Equal((100, 0, 200, 5), (b.MaxConnections, b.MaxPending, b.MaxRequests, b.MaxRetries));
    }

    [Fact]
    public void CircuitBreaker_KeysLeftOut_TakeEnvoysDefaults_AndWithoutTheBlockThereIsNone()
    {
        var b = Load("circuit-breaker: { max-requests: 10 }").Config!.Pools[0].CircuitBreaker!;
        Assert.Equal((1024, 1024, 10, 3), (b.MaxConnections, b.MaxPending, b.MaxRequests, b.MaxRetries));
        Assert.Null(Load("").Config!.Pools[0].CircuitBreaker);
    }

    [Fact]
    public void AdaptiveConcurrency_ReadsEveryKey()
    {
        var result = Load("adaptive-concurrency: { interval: 250ms, percentile: 90%, buffer: 10%, min-rtt-interval: 30s, min-rtt-requests: 20, "
            + "jitter: 0, min-concurrency: 5, max-limit: 200, min-rtt: 40ms }");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var a = result.Config!.Pools[0].AdaptiveConcurrency!;
        Assert.Equal((TimeSpan.FromMilliseconds(250), 0.9, 0.1, TimeSpan.FromSeconds(30), 20, 0.0, 5, 200, (TimeSpan?)TimeSpan.FromMilliseconds(40)),
            (a.Interval, a.Percentile, a.Buffer, a.MinRttInterval, a.MinRttRequests, a.Jitter, a.MinConcurrency, a.MaxLimit, a.FixedMinRtt));
    }

    [Fact]
    public void AdaptiveConcurrency_EmptyBlock_IsEnvoysDefaults()
    {
        var a = Load("adaptive-concurrency: {}").Config!.Pools[0].AdaptiveConcurrency!;
        Assert.Equal((TimeSpan.FromMilliseconds(100), 0.5, 0.25, TimeSpan.FromSeconds(60), 50, 0.15, 3, 1000, (TimeSpan?)null),
            (a.Interval, a.Percentile, a.Buffer, a.MinRttInterval, a.MinRttRequests, a.Jitter, a.MinConcurrency, a.MaxLimit, a.FixedMinRtt));
    }

    [Theory]
    [InlineData("high", RequestPriority.High)]
    [InlineData("normal", RequestPriority.Normal)]
    [InlineData("low", RequestPriority.Low)]
    public void RoutePriority_IsRead(string text, RequestPriority priority)
    {
        var result = Load("", ", priority: " + text);
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(priority, result.Config!.Listeners[0].Routes[0].Priority);
        Assert.Equal(RequestPriority.Normal, Load("").Config!.Listeners[0].Routes[0].Priority);
    }

    [Theory]
    [InlineData("circuit-breaker: { max-request: 5 }", "", "f.yaml:9:24: unknown key 'max-request' in circuit-breaker; did you mean 'max-requests'?")]
    [InlineData("circuit-breaker: { max-requests: 0 }", "", "f.yaml:9:38: 'max-requests' must be")]
    [InlineData("circuit-breaker: { max-pending: -1 }", "", "f.yaml:9:37: 'max-pending' must not be negative, not -1")]
    [InlineData("adaptive-concurrency: { percentile: 0 }", "", "f.yaml:9:41: 'percentile' must be above 0%")]
    [InlineData("adaptive-concurrency: { buffer: 25 }", "", "f.yaml:9:37: 'buffer' must be a percentage")]
    [InlineData("adaptive-concurrency: { min-concurrency: 50, max-limit: 10 }", "", "f.yaml:9:46: adaptive-concurrency 'min-concurrency' (50) is above 'max-limit' (10)")]
    [InlineData("adaptive-concurrency: { interval: 0 }", "", "f.yaml:9:39: 'interval' must be")]
    [InlineData("", ", priority: urgent", "f.yaml:5:38: unknown priority 'urgent'; use one of high, normal, low")]
    public void Mistakes_AreNamedAtTheirPlace(string poolKeys, string routeKeys, string error)
    {
        var result = Load(poolKeys, routeKeys);
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.ToString().StartsWith(error, StringComparison.Ordinal));
    }

    [Fact]
    public void TcpPool_TakesConnectionThresholds_ButNotRequestOnesNorAdaptiveConcurrency()
    {
        Assert.True(Load("circuit-breaker: { max-connections: 10, max-pending: 5 }", protocol: "tcp").IsValid);
        var errors = Load("circuit-breaker: { max-connections: 10, max-requests: 5 }\n    adaptive-concurrency: {}", protocol: "tcp").Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("f.yaml:9:45: 'max-requests: 5' needs http or https listeners, but pool 'app' serves tcp listener 'web'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("f.yaml:10:27: 'adaptive-concurrency: {...}' needs http or https listeners", StringComparison.Ordinal));
    }

    [Fact]
    public void UdpPool_RefusesACircuitBreaker()
    {
        var errors = Load("circuit-breaker: { max-connections: 10 }", protocol: "udp").Errors.Select(e => e.ToString()).ToList();
        Assert.Contains(errors, e => e.StartsWith("f.yaml:9:22: 'circuit-breaker: {...}' works only behind http and https and tcp listeners", StringComparison.Ordinal));
    }
}
