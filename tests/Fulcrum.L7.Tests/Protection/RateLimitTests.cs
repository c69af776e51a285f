using System.Net;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;

namespace Fulcrum.L7.Tests.Protection;

/// <summary>`rate-limit` on a route, on a manual clock so every count is exact: nginx's limit_req arithmetic.</summary>
public sealed class RateLimitTests
{
    private readonly ManualTimeProvider _clock = new();

    private async Task<(Backends, ProxyHarness)> StartAsync(params RateLimitConfig[] limits)
    {
        var backends = await Backends.StartAsync("a");
        var route = Configs.ToPool("app") with { RateLimits = [.. limits] };
        var proxy = await ProxyHarness.StartAsync(Configs.Of(Configs.Web(route), Configs.Pool("app", backends.All)), new BalancerServices(_clock, new Random(1)));
        return (backends, proxy);
    }

    private static async Task<HttpStatusCode[]> BurstAsync(HttpClient client, int count)
    {
        var statuses = new HttpStatusCode[count];
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync("/");
            statuses[i] = response.StatusCode;
        }

        return statuses;
    }

    [Fact]
    public async Task TenPerSecondBurstFive_LetsSixThrough_ThenRefusesWithARetryAfterThatIsHonoured_AndOtherClientsAreUnaffected()
    {
        var (backends, proxy) = await StartAsync(new RateLimitConfig { Rate = 10, Burst = 5, NoDelay = true });
        await using var _ = backends;
        await using var __ = proxy;

        var statuses = await BurstAsync(proxy.Client, 12);
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 6).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 6)), statuses);

        using var refused = await proxy.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = refused.Headers.RetryAfter!.Delta!.Value;
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter); // 0.1 s rounded up to whole seconds
        Assert.Equal(6, backends[0].Requests);

        // Another client (another address) has its own budget.
        var other = proxy.CreateClient(source: IPAddress.Parse("127.0.0.2"));
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/")).StatusCode);

        // Waiting what Retry-After said lets the first one in again.
        _clock.Advance(retryAfter);
        Assert.Equal(HttpStatusCode.OK, (await proxy.Client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task WithoutNodelay_TheBurstIsDelayedToTheRate_InsteadOfRefused()
    {
        var (backends, proxy) = await StartAsync(new RateLimitConfig { Rate = 10, Burst = 5 });
        await using var _ = backends;
        await using var __ = proxy;

        Assert.Equal(HttpStatusCode.OK, (await proxy.Client.GetAsync("/")).StatusCode); // the first is never held
        var timers = _clock.TimerCount;
        var second = proxy.Client.GetAsync("/");
        await Poll.UntilAsync(() => _clock.TimerCount > timers, "the second request held on the clock");
        Assert.False(second.IsCompleted);
        Assert.Equal(1, backends[0].Requests);

        _clock.Advance(TimeSpan.FromMilliseconds(100)); // one request's worth at 10/s
        using var response = await second;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, backends[0].Requests);
    }

    [Fact]
    public async Task Headers_TellThePolicyAndWhatIsLeft_OnEveryResponse()
    {
        var (backends, proxy) = await StartAsync(new RateLimitConfig { Rate = 2, Burst = 1, NoDelay = true, Headers = true });
        await using var _ = backends;
        await using var __ = proxy;

        using var first = await proxy.Client.GetAsync("/");
        Assert.Equal("\"fulcrum\";q=2;w=1", first.Headers.GetValues("RateLimit-Policy").Single());
        Assert.Equal("\"fulcrum\";r=1;t=0", first.Headers.GetValues("RateLimit").Single());
        using var second = await proxy.Client.GetAsync("/");
        Assert.Equal("\"fulcrum\";r=0;t=1", second.Headers.GetValues("RateLimit").Single());
        using var third = await proxy.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal("\"fulcrum\";r=0;t=1", third.Headers.GetValues("RateLimit").Single());
    }

    [Fact]
    public async Task SeveralLimits_EachCountsItsOwnKey_AndARequestWithoutTheKeyIsNotCounted()
    {
        var (backends, proxy) = await StartAsync(
            new RateLimitConfig { Key = RateLimitKeySource.Header, KeyName = "X-Api-Key", Rate = 1, NoDelay = true },
            new RateLimitConfig { Key = RateLimitKeySource.Route, Rate = 1, Burst = 3, NoDelay = true, Status = 503 });
        await using var _ = backends;
        await using var __ = proxy;

        async Task<HttpStatusCode> GetAsync(string? key)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/");
            if (key is not null) request.Headers.Add("X-Api-Key", key);
            using var response = await proxy.Client.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await GetAsync("k1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await GetAsync("k1")); // k1's own limit: 1/s, no burst
        Assert.Equal(HttpStatusCode.OK, await GetAsync("k2"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(null));           // no key: the per-key limit does not count it
        Assert.Equal(HttpStatusCode.OK, await GetAsync(null));           // the route's: 4 passed (burst 3)
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await GetAsync(null)); // the route's limit answers 503
    }

    [Fact]
    public async Task AReloadThatKeepsTheLimit_KeepsItsCounters_AndOneThatChangesIt_StartsAfresh()
    {
        var (backends, proxy) = await StartAsync(new RateLimitConfig { Rate = 1, NoDelay = true });
        await using var _ = backends;
        await using var __ = proxy;
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.TooManyRequests], await BurstAsync(proxy.Client, 2));

        var config = proxy.Store.Current.Config;
        proxy.Store.Apply(config with { Pools = [config.Pools[0] with { ConnectTimeout = TimeSpan.FromSeconds(3) }] });
        await proxy.Plane.Reconciled;
        Assert.Equal(HttpStatusCode.TooManyRequests, (await proxy.Client.GetAsync("/")).StatusCode);

        var route = config.Listeners[0].Routes[0];
        proxy.Store.Apply(config with { Listeners = [config.Listeners[0] with { Routes = [route with { RateLimits = [route.RateLimits[0] with { Burst = 1 }] }] }] });
        await proxy.Plane.Reconciled;
        Assert.Equal(HttpStatusCode.OK, (await proxy.Client.GetAsync("/")).StatusCode);
    }
}
