using System.Diagnostics;
using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Observability;
using Fulcrum.Core.Protection;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.Protection;

/// <summary>A pool's `circuit-breaker` on real sockets: a hanging backend, real Kestrel backends, the balancer in process.</summary>
public sealed class CircuitBreakerTests
{
    private static PoolConfig Guarded(string name, string address, CircuitBreakerConfig breaker) => new()
    {
        Name = name,
        Backends = [new BackendConfig { Address = address }],
        CircuitBreaker = breaker,
    };

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static long Count(ProtectionStats stats, string route, string decision, string reason = "") =>
        stats.All.Where(c => c.Route == route && c.Protection == "breaker" && c.Decision == decision && c.Reason == reason).Sum(c => c.Count);

    [Fact]
    public async Task HangingBackend_FillsMaxRequests_FurtherRequestsGet503AtOnce_WhileAnotherPoolIsUnaffected()
    {
        await using var hung = await HoldingBackend.StartAsync();
        await using var healthy = await Backends.StartAsync("fast");
        var slowRoute = ToPool("slow", new MatchConfig { PathPrefix = "/slow" }) with { Name = "slow" };
        var fastRoute = ToPool("fast") with { Name = "fast" };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(slowRoute, fastRoute),
            Guarded("slow", hung.Address, new CircuitBreakerConfig { MaxRequests = 4 }),
            Guarded("fast", healthy[0].Address, new CircuitBreakerConfig { MaxRequests = 4 })));

        var held = Enumerable.Range(0, 4).Select(_ => proxy.Client.GetAsync("/slow")).ToList();
        await Poll.UntilAsync(() => hung.Arrived == 4, "four requests held by the hanging backend");

        // Over the threshold: refused at once, not queued behind the hung four (which are still waiting).
        for (var i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            using var refused = await proxy.Client.GetAsync("/slow");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Contains("circuit breaker's max-requests", await refused.Content.ReadAsStringAsync());
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"a refusal took {clock.Elapsed}");
        }

        Assert.All(held, t => Assert.False(t.IsCompleted));
        Assert.Equal(4, hung.Arrived);

        // The other pool's breaker counts its own work: all of it passes meanwhile.
        for (var i = 0; i < 20; i++)
        {
            using var ok = await proxy.Client.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var slow = proxy.Pool("slow").Admission!;
        Assert.True(slow.IsOpen(AdmissionDecision.MaxRequests));
        Assert.Equal(5, slow.Refused(AdmissionDecision.MaxRequests));
        Assert.False(proxy.Pool("fast").Admission!.IsOpen(AdmissionDecision.MaxRequests));
        Assert.Equal(5, Count(proxy.Store.Protection, "slow", "rejected", "max-requests"));
        Assert.Equal(4, Count(proxy.Store.Protection, "slow", "allowed"));
        Assert.Equal(20, Count(proxy.Store.Protection, "fast", "allowed"));

        // The backend recovers: the held requests finish and the breaker closes.
        hung.Release();
        foreach (var response in await Task.WhenAll(held)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Poll.UntilAsync(() => slow.Requests == 0, "the held requests counted out");
        using var after = await proxy.Client.GetAsync("/slow");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task MaxConnections_QueuesRequestsAsPending_RefusesPastMaxPending_AndServesTheQueueWhenAConnectionFrees()
    {
        await using var hung = await HoldingBackend.StartAsync();
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("api") with { Name = "api" }),
            Guarded("api", hung.Address, new CircuitBreakerConfig { MaxConnections = 2, MaxPending = 1 })));
        var admission = proxy.Pool("api").Admission!;

        var inFlight = Enumerable.Range(0, 2).Select(_ => proxy.Client.GetAsync("/")).ToList();
        await Poll.UntilAsync(() => hung.Arrived == 2, "two requests on the backend's two connections");
        var queued = proxy.Client.GetAsync("/");
        await Poll.UntilAsync(() => admission.Pending == 1, "the third request pending");

        using var refused = await proxy.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("max-pending", await refused.Content.ReadAsStringAsync());
        Assert.Equal(2, hung.Arrived); // the queued one never reached the backend past max-connections

        hung.Release();
        foreach (var response in await Task.WhenAll([.. inFlight, queued])) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, hung.Arrived);
        Assert.Equal(1, Count(proxy.Store.Protection, "api", "rejected", "max-pending"));
    }

    [Fact]
    public async Task Pending_LongerThanQueueTimeout_Gets503()
    {
        await using var hung = await HoldingBackend.StartAsync();
        var pool = Guarded("api", hung.Address, new CircuitBreakerConfig { MaxConnections = 1 }) with { QueueTimeout = TimeSpan.FromMilliseconds(300) };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("api") with { Name = "api" }), pool));

        var held = proxy.Client.GetAsync("/");
        await Poll.UntilAsync(() => hung.Arrived == 1, "the first request on the only connection");
        using var timedOut = await proxy.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, timedOut.StatusCode);
        Assert.Contains("came free in time", await timedOut.Content.ReadAsStringAsync());
        Assert.Equal(1, Count(proxy.Store.Protection, "api", "rejected", "pending-timeout"));
        hung.Release();
        Assert.Equal(HttpStatusCode.OK, (await held).StatusCode);
    }

    [Fact]
    public async Task MaxRetries_WithholdsTheRetry_SoTheFailedAttemptsAnswerStands()
    {
        await using var backends = await Backends.StartAsync("ok");
        var pool = new PoolConfig
        {
            Name = "api",
            Health = new HealthConfig { Passive = new PassiveHealthConfig { ConsecutiveFailures = 0 } },
            Backends = [new BackendConfig { Name = "dead", Address = $"127.0.0.1:{ClosedPort()}" }, new BackendConfig { Name = "ok", Address = backends[0].Address }],
            CircuitBreaker = new CircuitBreakerConfig { MaxRetries = 0 },
        };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("api") with { Name = "api" }), pool));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await proxy.Client.GetAsync("/");
            statuses.Add(response.StatusCode);
        }

        // Round robin sends every other request to the dead backend; without a retry, each of those is a 502.
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.BadGateway));
        Assert.Equal(2, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(2, Count(proxy.Store.Protection, "api", "limited", "max-retries"));
        Assert.Equal(0, proxy.Pool("api").Retries.Started);
    }
}
