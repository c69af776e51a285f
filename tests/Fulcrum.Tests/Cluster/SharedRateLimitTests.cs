using System.Net;
using Fulcrum.Cluster;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Filters;
using Fulcrum.TestSupport.Peers;
using Fulcrum.Tests.Infrastructure;
using StackExchange.Redis;

namespace Fulcrum.Tests.Cluster;

/// <summary>
/// Issue 15's `scope: cluster`: the script in Redis answers as the local limiter does, two real instances allow the
/// limit together, and without Redis each falls back to its share of it.
/// </summary>
public sealed class SharedRateLimitTests
{
    [Theory]
    [InlineData(10.0, 5, false)]
    [InlineData(10.0, 5, true)]
    [InlineData(2.5, 0, false)]
    [InlineData(100.0, 20, true)]
    public async Task RedisScript_AnswersAsTheLocalLimiter_ForOneInstance(double rate, int burst, bool nodelay)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { new System.Net.Sockets.UnixDomainSocketEndPoint(redis.Socket) },
        });
        var reachable = new Reachability(TimeProvider.System);
        reachable.MarkUp();
        var clock = new ManualTimeProvider();
        var config = new RateLimitConfig { Rate = rate, Burst = burst, NoDelay = nodelay };
        var local = new RateLimitBuckets(config, clock);
        var shared = new SharedRateLimit(
            new RedisRateLimits(() => connection.GetDatabase(), reachable, () => 1, TimeSpan.FromSeconds(10)) { Clock = clock },
            "test", config, clock);

        // Three keys, bursts and pauses of every length the arithmetic distinguishes, on one exact clock.
        var random = new Random(7);
        for (var i = 0; i < 400; i++)
        {
            var key = (ulong)random.Next(3);
            var (fromRedis, wasLocal) = await shared.TakeAsync(key);
            var here = local.Take(key);
            Assert.False(wasLocal);
            Assert.Equal((here.Allowed, here.Remaining), (fromRedis.Allowed, fromRedis.Remaining));
            Assert.Equal(here.Excess, fromRedis.Excess, 9);
            Assert.Equal(here.Delay.TotalSeconds, fromRedis.Delay.TotalSeconds, 6);
            Assert.Equal(here.RetryAfter.TotalSeconds, fromRedis.RetryAfter.TotalSeconds, 6);
            clock.Advance(TimeSpan.FromMilliseconds(random.Next(4) switch { 0 => 0, 1 => random.Next(1, 50), 2 => random.Next(50, 500), _ => random.Next(500, 3000) }));
        }
    }

    [Fact]
    public async Task AKeysBucket_ExpiresOnceItsExcessHasDecayed()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var connection = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { new System.Net.Sockets.UnixDomainSocketEndPoint(redis.Socket) },
        });
        var reachable = new Reachability(TimeProvider.System);
        reachable.MarkUp();
        var limits = new RedisRateLimits(() => connection.GetDatabase(), reachable, () => 1, TimeSpan.FromSeconds(10));
        for (var i = 0; i < 3; i++) await limits.TakeAsync("ttl", 42, rate: 10, burst: 5);
        var ttl = await connection.GetDatabase().KeyTimeToLiveAsync(ClusterKeys.Bucket("ttl", 42));
        // An excess of 2 decays at 10/s: the key is worth nothing after (2 + 1) / 10 s, and lives no longer.
        Assert.InRange(ttl!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(301));
    }

    [Fact]
    public async Task TwoInstances_AllowTheLimitTogether_AndWithoutRedis_EachItsShare()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var backends = await Backends.StartAsync(1);
        var lines = $"          - {{ name: b1, address: {backends[0].Address} }}\n";
        // 10 at once and then one a minute: within the test's seconds the rate gives back nothing, so the count is exact.
        const string limit = "        rate-limit: { key: route, rate: 1/m, burst: 9, nodelay: true, scope: cluster }";
        await using var a = await ClusterInstance.StartAsync("lb-a", ClusterInstance.Yaml("lb-a", redis.Configuration, lines, limit));
        await using var b = await ClusterInstance.StartAsync("lb-b", ClusterInstance.Yaml("lb-b", redis.Configuration, lines, limit));
        await Poll.UntilAsync(async () => (await a.ClusterAsync()).GetProperty("members").GetArrayLength() == 2
            && (await b.ClusterAsync()).GetProperty("members").GetArrayLength() == 2, "both instances list both members");

        var (allowed, refused) = await SendAsync([a, b], 40);
        Assert.Equal((10, 30), (allowed, refused)); // a local limit would have let 20 through

        // Redis gone: each counts locally with half the limit (two members last seen): 5 each, 10 together again.
        await redis.KillAsync();
        await Poll.UntilAsync(async () => !await a.RedisReachableAsync() && !await b.RedisReachableAsync(), "both report redis unreachable");
        var (allowedAlone, refusedAlone) = await SendAsync([a, b], 40);
        Assert.Equal((10, 30), (allowedAlone, refusedAlone));
        Assert.True((await a.ClusterAsync()).GetProperty("rateLimitFallbacks").GetInt64() >= 20);
        Assert.Contains("reason=\"cluster-fallback\"", await a.MetricsAsync(), StringComparison.Ordinal);
    }

    // Sends requests to the instances in turn; every one is answered, 200 or 429.
    private static async Task<(int Allowed, int Refused)> SendAsync(ClusterInstance[] instances, int count)
    {
        var allowed = 0;
        var refused = 0;
        for (var i = 0; i < count; i++)
        {
            using var response = await instances[i % instances.Length].Client.GetAsync("");
            if (response.StatusCode == HttpStatusCode.OK) allowed++;
            else if (response.StatusCode == HttpStatusCode.TooManyRequests) refused++;
            else Assert.Fail($"request {i} was answered {(int)response.StatusCode}");
        }

        return (allowed, refused);
    }
}
