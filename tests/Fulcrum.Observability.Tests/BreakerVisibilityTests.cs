using System.Net;
using System.Text.Json;
using Fulcrum.Core.Configuration;
using Fulcrum.Observability.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.Observability.Tests;

/// <summary>A pool's circuit breaker and adaptive limit seen from outside: the metrics, `GET /api/pools/{pool}`, `GET /api/protection` and the access log.</summary>
public sealed class BreakerVisibilityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fulcrum-breaker-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ARefusalAtMaxRequests_ShowsInTheMetrics_ThePoolsApi_TheProtectionApi_AndTheAccessLog()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = 0;
        await using var hung = await HandlerBackend.StartAsync(async context =>
        {
            Interlocked.Increment(ref arrived);
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("late");
        });
        var path = Path.Combine(_dir, "access.log");
        var slow = new PoolConfig
        {
            Name = "slow",
            Backends = [new BackendConfig { Address = hung.Address }],
            CircuitBreaker = new CircuitBreakerConfig { MaxRequests = 1 },
            AdaptiveConcurrency = new AdaptiveConcurrencyConfig { FixedMinRtt = TimeSpan.FromMilliseconds(10), MinConcurrency = 5 },
        };
        await using var lb = await ObservedBalancer.StartAsync(1, c => c with
        {
            AccessLog = new AccessLogConfig { Path = path },
            Listeners = [c.Listeners[0] with { Routes = [new RouteConfig { Name = "slow", Pool = "slow", Match = new MatchConfig { PathPrefix = "/slow" } }, .. c.Listeners[0].Routes] }],
            Pools = [.. c.Pools, slow],
        });

        var held = lb.GetAsync("slow");
        await Poll.UntilAsync(() => Volatile.Read(ref arrived) == 1, "the first request held by the hanging backend");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await lb.GetAsync("slow"));
        Assert.Equal(HttpStatusCode.OK, await lb.GetAsync()); // the other pool, unaffected

        var metrics = await lb.MetricsAsync();
        Assert.Equal(1, PrometheusText.Value(metrics, "fulcrum_protection_decisions_total{listener=\"web\",route=\"slow\",protection=\"breaker\",decision=\"rejected\",reason=\"max-requests\"}"));
        Assert.Equal(1, PrometheusText.Value(metrics, "fulcrum_protection_decisions_total{listener=\"web\",route=\"slow\",protection=\"shed\",decision=\"allowed\",reason=\"\"}"));
        Assert.Equal(1, PrometheusText.Value(metrics, "fulcrum_pool_circuit_breaker_open{pool=\"slow\",threshold=\"max-requests\"}"));
        Assert.Equal(0, PrometheusText.Value(metrics, "fulcrum_pool_circuit_breaker_open{pool=\"slow\",threshold=\"max-connections\"}"));
        Assert.Equal(1, PrometheusText.Value(metrics, "fulcrum_pool_admission_rejected_total{pool=\"slow\",protection=\"breaker\",reason=\"max-requests\"}"));
        Assert.Equal(1, PrometheusText.Value(metrics, "fulcrum_pool_requests_active{pool=\"slow\"}"));
        Assert.Equal(5, PrometheusText.Value(metrics, "fulcrum_pool_concurrency_limit{pool=\"slow\"}"));
        Assert.Equal(1, PrometheusText.Value(metrics, "fulcrum_pool_concurrency_in_flight{pool=\"slow\"}"));
        Assert.Equal(0.01, PrometheusText.Value(metrics, "fulcrum_pool_concurrency_min_rtt_seconds{pool=\"slow\"}"), 6);

        using (var pool = JsonDocument.Parse(await lb.Client.GetStringAsync(new Uri(lb.Admin, "api/pools/slow"))))
        {
            var breaker = pool.RootElement.GetProperty("circuitBreaker");
            Assert.Equal("open", breaker.GetProperty("state").GetString());
            Assert.Equal(["max-requests"], breaker.GetProperty("open").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal((1, 1), (breaker.GetProperty("maxRequests").GetInt32(), breaker.GetProperty("requests").GetInt32()));
            Assert.Equal(1, breaker.GetProperty("rejected").GetProperty("max-requests").GetInt64());
            var limit = pool.RootElement.GetProperty("adaptiveConcurrency");
            Assert.Equal((5, 1), (limit.GetProperty("limit").GetInt32(), limit.GetProperty("inFlight").GetInt32()));
            Assert.Equal((5, 5, 3), (limit.GetProperty("allowed").GetProperty("high").GetInt32(), limit.GetProperty("allowed").GetProperty("normal").GetInt32(),
                limit.GetProperty("allowed").GetProperty("low").GetInt32()));
            Assert.Equal(10, limit.GetProperty("minRttMs").GetDouble());
        }

        using (var app = JsonDocument.Parse(await lb.Client.GetStringAsync(new Uri(lb.Admin, "api/pools/app"))))
        {
            Assert.False(app.RootElement.TryGetProperty("circuitBreaker", out _)); // a pool without one shows none
        }

        using (var api = JsonDocument.Parse(await lb.Client.GetStringAsync(new Uri(lb.Admin, "api/protection"))))
        {
            var rejected = api.RootElement.EnumerateArray().Single(e => e.GetProperty("reason").GetString() == "max-requests");
            Assert.Equal(("slow", "breaker", "rejected", 1L), (rejected.GetProperty("route").GetString(), rejected.GetProperty("protection").GetString(),
                rejected.GetProperty("decision").GetString(), rejected.GetProperty("count").GetInt64()));
        }

        release.SetResult();
        Assert.Equal(HttpStatusCode.OK, await held);
        await Poll.UntilAsync(() => File.Exists(path) && File.ReadAllLines(path).Length == 3, "three access log lines");
        var refusal = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement).Single(e => e.GetProperty("status").GetInt32() == 503);
        Assert.Equal("breaker:max-requests", refusal.GetProperty("protection").GetString());
        Assert.Equal("slow", refusal.GetProperty("pool").GetString());
    }
}
