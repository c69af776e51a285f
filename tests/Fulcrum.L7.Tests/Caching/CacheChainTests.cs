using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Filters;
using Fulcrum.L7.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Tests.Caching;

/// <summary>
/// The cache in its chain: it stores what the filters below it (compression) produced, and a hit answers without
/// them; a backend's own 5xx is replaced by a stale response; a fetch that stores nothing lets its waiters go.
/// </summary>
public sealed class CacheChainTests
{
    private static async Task<(Origin, ProxyHarness)> StartAsync(params FilterConfig[] filters)
    {
        var origin = await Origin.StartAsync();
        var route = Configs.ToPool("app") with { Name = "site", Cache = new CacheConfig(), Filters = [.. filters] };
        var pool = new PoolConfig { Name = "app", Backends = [new BackendConfig { Address = origin.Address }] };
        var proxy = await ProxyHarness.StartAsync(Configs.Of(Configs.Web(route), pool), FilterRegistry.Default.With(new EncodingFilter.Factory()));
        return (origin, proxy);
    }

    [Fact]
    public async Task CompressionBelowTheCache_IsStoredAsItEncoded_AndAHitServesTheEncodedBodyWithoutRunningIt()
    {
        var (origin, proxy) = await StartAsync(new FilterConfig { Name = "encode" });
        await using var _ = origin;
        await using var __ = proxy;
        origin.Handler = static context =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            return context.Response.WriteAsync("hello");
        };

        foreach (var expected in new[] { "fulcrum; fwd=uri-miss; fwd-status=200; stored", "fulcrum; hit" })
        {
            using var response = await proxy.Client.GetAsync("/e");
            // The encoder's bytes and its last block (written in its end hook) went through the cache's copy.
            Assert.Equal("HELLO!", await response.Content.ReadAsStringAsync());
            Assert.Equal("upper", response.Headers.GetValues("X-Encoded").Single());
            Assert.Equal(expected, response.Headers.GetValues("Cache-Status").Single());
        }

        Assert.Equal(1, origin.Requests);
    }

    [Theory]
    [InlineData("/validated")] // revalidated through the cache's own request, which gets the 503
    [InlineData("/plain")]     // no validator: the client's request goes on, and its 503 answer is swapped on the way back
    public async Task BackendsOwn503_IsReplacedByTheStaleResponse_UnderStaleIfError(string path)
    {
        var (origin, proxy) = await StartAsync();
        await using var _ = origin;
        await using var __ = proxy;
        var failing = false;
        origin.Handler = context =>
        {
            if (failing)
            {
                context.Response.StatusCode = 503;
                return context.Response.WriteAsync("the backend's own error page, longer than the stale body");
            }

            context.Response.Headers.CacheControl = "max-age=0, stale-if-error=60";
            if (context.Request.Path == "/validated") context.Response.Headers.ETag = "\"s\"";
            return context.Response.WriteAsync("stale but good");
        };

        (await proxy.Client.GetAsync(path)).Dispose();
        failing = true;
        using var response = await proxy.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("stale but good", await response.Content.ReadAsStringAsync());
        Assert.Contains("fwd-status=503; detail=stale-if-error", response.Headers.GetValues("Cache-Status").Single());
        Assert.Equal(2, origin.Requests);
    }

    [Fact]
    public async Task ConcurrentMissesOfAnUncacheableResponse_AllGoToTheBackend_WithoutWaitingForTheLockTimeout()
    {
        var (origin, proxy) = await StartAsync();
        await using var _ = origin;
        await using var __ = proxy;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        origin.Handler = async context =>
        {
            await release.Task;
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsync("private answer");
        };

        var clients = Enumerable.Range(0, 10).Select(_ => proxy.CreateClient()).ToArray();
        var requests = clients.Select(c => c.GetStringAsync("/u")).ToArray();
        await Poll.UntilAsync(() => origin.Requests >= 1 && proxy.Store.Listeners.All.Single().ActiveConnections >= 10, "ten connections, the first request at the origin");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        release.SetResult();
        var bodies = await Poll.Within(Task.WhenAll(requests));
        Assert.All(bodies, b => Assert.Equal("private answer", b));
        Assert.Equal(10, origin.Requests);
        Assert.True(clock.Elapsed < new CacheConfig().LockTimeout, $"the waiters went on after {clock.Elapsed}, not at once");
    }
}
