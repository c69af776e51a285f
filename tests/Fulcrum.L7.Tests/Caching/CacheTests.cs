using System.Net;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Caching;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Tests.Caching;

/// <summary>
/// A route's RFC 9111 cache between real clients and a real Kestrel origin, on a manual clock so ages and freshness
/// are exact: hits, Vary, revalidation, collapsing, stale answers, purge, the memory bound.
/// </summary>
public sealed class CacheTests
{
    private readonly ManualTimeProvider _clock = new();

    private async Task<(Origin, ProxyHarness)> StartAsync(CacheConfig? cache = null)
    {
        var origin = await Origin.StartAsync();
        var route = Configs.ToPool("app") with { Name = "site", Cache = cache ?? new CacheConfig() };
        var pool = new PoolConfig { Name = "app", Backends = [new BackendConfig { Address = origin.Address }] };
        var proxy = await ProxyHarness.StartAsync(Configs.Of(Configs.Web(route), pool), new BalancerServices(_clock, new Random(1)));
        return (origin, proxy);
    }

    private static async Task<(HttpStatusCode Status, string Body, string CacheStatus, HttpResponseMessage Response)> GetAsync(HttpClient client, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var status = response.Headers.TryGetValues("Cache-Status", out var values) ? string.Join(", ", values) : "";
        return (response.StatusCode, body, status, response);
    }

    private static IRouteCache Cache(ProxyHarness proxy) => Assert.Single(proxy.Store.Caches.All);

    [Fact]
    public async Task FreshResponse_IsServedFromTheCache_WithoutABackendRequest_WithAgeAndCacheStatus()
    {
        var (origin, proxy) = await StartAsync();
        await using var _ = origin;
        await using var __ = proxy;

        var first = await GetAsync(proxy.Client, "/a?x=1");
        Assert.Equal(("v1", "fulcrum; fwd=uri-miss; fwd-status=200; stored"), (first.Body, first.CacheStatus));

        _clock.Advance(TimeSpan.FromSeconds(30));
        var second = await GetAsync(proxy.Client, "/a?x=1");
        Assert.Equal((HttpStatusCode.OK, "v1", "fulcrum; hit"), (second.Status, second.Body, second.CacheStatus));
        Assert.Equal(TimeSpan.FromSeconds(30), second.Response.Headers.Age);
        Assert.Equal(1, origin.Requests);

        // Another query string is another key; past max-age the response is stale and fetched again.
        Assert.Equal("fulcrum; fwd=uri-miss; fwd-status=200; stored", (await GetAsync(proxy.Client, "/a?x=2")).CacheStatus);
        _clock.Advance(TimeSpan.FromSeconds(31));
        Assert.StartsWith("fulcrum; fwd=stale", (await GetAsync(proxy.Client, "/a?x=1")).CacheStatus);
        Assert.Equal(3, origin.Requests);
        Assert.Equal((1, 3), (Cache(proxy).Counters.Requests(CacheResult.Hit), Cache(proxy).Counters.Requests(CacheResult.Miss)));
    }

    [Fact]
    public async Task Vary_KeepsVariantsApart_AndAcceptEncodingVariantsShareTheCodingsAccepted()
    {
        var (origin, proxy) = await StartAsync();
        await using var _ = origin;
        await using var __ = proxy;
        origin.Handler = static context =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            context.Response.Headers.Vary = "Accept-Language, Accept-Encoding";
            return context.Response.WriteAsync($"{context.Request.Headers.AcceptLanguage}|{context.Request.Headers.AcceptEncoding}");
        };

        Assert.Equal("en|gzip, br", (await GetAsync(proxy.Client, "/v", ("Accept-Language", "en"), ("Accept-Encoding", "gzip, br"))).Body);
        Assert.Equal("fr|gzip, br", (await GetAsync(proxy.Client, "/v", ("Accept-Language", "fr"), ("Accept-Encoding", "gzip, br"))).Body);
        // The same codings written another way (and one the cache does not tell apart) are the same variant.
        var en = await GetAsync(proxy.Client, "/v", ("Accept-Language", "en"), ("Accept-Encoding", "br;q=1, deflate, gzip"));
        Assert.Equal(("en|gzip, br", "fulcrum; hit"), (en.Body, en.CacheStatus));
        // A refused coding is another variant; so is no Accept-Encoding at all.
        var noBr = await GetAsync(proxy.Client, "/v", ("Accept-Language", "en"), ("Accept-Encoding", "gzip, br;q=0"));
        Assert.Equal(("en|gzip, br;q=0", "fulcrum; fwd=vary-miss; fwd-status=200; stored"), (noBr.Body, noBr.CacheStatus));
        Assert.Equal(3, origin.Requests);
        Assert.Equal(3, Cache(proxy).Entries);
    }

    [Fact]
    public async Task StaleResponse_IsRevalidatedWithItsETag_AndThe304UpdatesTheStoredHeaders()
    {
        var (origin, proxy) = await StartAsync();
        await using var _ = origin;
        await using var __ = proxy;
        var version = 1;
        origin.Handler = context =>
        {
            context.Response.Headers.CacheControl = "max-age=10";
            context.Response.Headers.ETag = "\"v1\"";
            context.Response.Headers["X-Version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (context.Request.Headers.IfNoneMatch == "\"v1\"")
            {
                context.Response.StatusCode = 304;
                return Task.CompletedTask;
            }

            return context.Response.WriteAsync("the body");
        };

        await GetAsync(proxy.Client, "/r");
        _clock.Advance(TimeSpan.FromSeconds(11));
        version = 2;
        var revalidated = await GetAsync(proxy.Client, "/r");
        Assert.Equal((HttpStatusCode.OK, "the body", "fulcrum; fwd=stale; fwd-status=304"), (revalidated.Status, revalidated.Body, revalidated.CacheStatus));
        Assert.Equal("2", revalidated.Response.Headers.GetValues("X-Version").Single());
        Assert.Equal("\"v1\"", origin.LastRequestHeaders!.IfNoneMatch.ToString());
        Assert.Equal(2, origin.Requests);

        // Fresh again for max-age, with the updated header.
        var hit = await GetAsync(proxy.Client, "/r");
        Assert.Equal(("the body", "fulcrum; hit", "2"), (hit.Body, hit.CacheStatus, hit.Response.Headers.GetValues("X-Version").Single()));
        Assert.Equal(2, origin.Requests);
        Assert.Equal(1, Cache(proxy).Counters.Requests(CacheResult.Revalidated));

        // A client's own conditional request is answered 304 from the store.
        var conditional = await GetAsync(proxy.Client, "/r", ("If-None-Match", "\"v1\""));
        Assert.Equal(HttpStatusCode.NotModified, conditional.Status);
        Assert.Equal(2, origin.Requests);
    }

    [Fact]
    public async Task HundredConcurrentMisses_OfOneKey_MakeOneBackendRequest()
    {
        var (origin, proxy) = await StartAsync();
        await using var _ = origin;
        await using var __ = proxy;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        origin.Handler = async context =>
        {
            await release.Task;
            context.Response.Headers.CacheControl = "max-age=60";
            await context.Response.WriteAsync("once");
        };

        var clients = Enumerable.Range(0, 100).Select(_ => proxy.CreateClient()).ToArray();
        var requests = clients.Select(c => GetAsync(c, "/hot")).ToArray();
        await Poll.UntilAsync(() => origin.Requests >= 1 && proxy.Store.Listeners.All.Single().ActiveConnections >= 100, "100 client connections and the first request at the origin");
        release.SetResult();
        var answers = await Poll.Within(Task.WhenAll(requests));

        Assert.All(answers, a => Assert.Equal((HttpStatusCode.OK, "once"), (a.Status, a.Body)));
        Assert.Equal(1, origin.Requests);
        Assert.Equal(99, answers.Count(a => a.CacheStatus.StartsWith("fulcrum; hit", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task StaleIfError_ServesTheStaleResponse_WhileThePoolIsDown()
    {
        var (origin, proxy) = await StartAsync();
        await using var __ = proxy;
        origin.Handler = static context =>
        {
            context.Response.Headers.CacheControl = "max-age=1, stale-if-error=60";
            return context.Response.WriteAsync(context.Request.Path == "/validated" ? "validated" : "plain");
        };
        origin.Handler = WithETagOn("/validated", origin.Handler);

        await GetAsync(proxy.Client, "/plain");
        await GetAsync(proxy.Client, "/validated");
        await origin.KillAsync();
        _clock.Advance(TimeSpan.FromSeconds(5));

        var plain = await GetAsync(proxy.Client, "/plain");
        Assert.Equal((HttpStatusCode.OK, "plain"), (plain.Status, plain.Body));
        Assert.Contains("detail=stale-if-error", plain.CacheStatus);
        var validated = await GetAsync(proxy.Client, "/validated");
        Assert.Equal((HttpStatusCode.OK, "validated"), (validated.Status, validated.Body));
        Assert.Contains("detail=stale-if-error", validated.CacheStatus);
        Assert.Equal(TimeSpan.FromSeconds(5), validated.Response.Headers.Age);

        // Past the stale-if-error window the error stands.
        _clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.BadGateway, (await GetAsync(proxy.Client, "/plain")).Status);
        Assert.Equal(2, Cache(proxy).Counters.Requests(CacheResult.Stale));
        await origin.DisposeAsync();
    }

    private static Func<HttpContext, Task> WithETagOn(string path, Func<HttpContext, Task> inner) => context =>
    {
        if (context.Request.Path == path) context.Response.Headers.ETag = "\"e\"";
        return inner(context);
    };

    [Fact]
    public async Task StaleWhileRevalidate_AnswersAtOnce_AndRefreshesBehindTheClient()
    {
        var (origin, proxy) = await StartAsync();
        await using var _ = origin;
        await using var __ = proxy;
        var version = 1;
        origin.Handler = context =>
        {
            context.Response.Headers.CacheControl = "max-age=10, stale-while-revalidate=60";
            return context.Response.WriteAsync("v" + version);
        };

        await GetAsync(proxy.Client, "/s");
        version = 2;
        _clock.Advance(TimeSpan.FromSeconds(15));
        var stale = await GetAsync(proxy.Client, "/s");
        Assert.Equal("v1", stale.Body);
        Assert.Contains("detail=stale-while-revalidate", stale.CacheStatus);
        await Poll.UntilAsync(() => origin.Requests == 2 && Cache(proxy).Counters.StoredTotal == 2, "the background refresh stored");
        var fresh = await GetAsync(proxy.Client, "/s");
        Assert.Equal(("v2", "fulcrum; hit"), (fresh.Body, fresh.CacheStatus));
    }

    [Fact]
    public async Task Purge_ByKeyOrPrefix_RemovesWhatItNames()
    {
        var (origin, proxy) = await StartAsync();
        await using var _ = origin;
        await using var __ = proxy;
        foreach (var path in new[] { "/static/a.css", "/static/b.css", "/page" }) await GetAsync(proxy.Client, path);
        Assert.Equal(3, Cache(proxy).Entries);

        var host = proxy.Url().Authority;
        Assert.Equal(1, proxy.Store.Caches.Purge(null, null, $"http://{host}/page", null));
        Assert.Equal(2, proxy.Store.Caches.Purge("web", "site", null, $"http://{host}/static/"));
        Assert.Equal(0, Cache(proxy).Entries);
        Assert.StartsWith("fulcrum; fwd=uri-miss", (await GetAsync(proxy.Client, "/page")).CacheStatus);
        Assert.Equal(4, origin.Requests);
    }

    [Fact]
    public async Task MemoryBound_HoldsWhenFilledWithTenTimesItsSize_AndRecentlyUsedEntriesStay()
    {
        const int maxSize = 1 << 20;
        var (origin, proxy) = await StartAsync(new CacheConfig { MaxSize = maxSize });
        await using var _ = origin;
        await using var __ = proxy;
        var body = new string('x', 16 * 1024);
        origin.Handler = context =>
        {
            context.Response.Headers.CacheControl = "max-age=600";
            return context.Response.WriteAsync(body);
        };

        var cache = Cache(proxy);
        await GetAsync(proxy.Client, "/hot");
        for (var i = 0; i < 10 * maxSize / body.Length; i++)
        {
            await GetAsync(proxy.Client, $"/fill/{i}");
            if (i % 8 == 0) Assert.Equal("fulcrum; hit", (await GetAsync(proxy.Client, "/hot")).CacheStatus);
            Assert.True(cache.Bytes <= maxSize, $"{cache.Bytes} bytes held, more than {maxSize}");
        }

        Assert.InRange(cache.Entries, 40, 64);
        Assert.True(cache.Counters.EvictedTotal > 500);
        // The entry read again and again was never the one evicted (SIEVE keeps what is visited).
        Assert.Equal("fulcrum; hit", (await GetAsync(proxy.Client, "/hot")).CacheStatus);
    }

    [Fact]
    public async Task BodyLargerThanMaxObjectSize_StreamsThroughUncached()
    {
        var (origin, proxy) = await StartAsync(new CacheConfig { MaxSize = 1 << 20, MaxObjectSize = 64 * 1024 });
        await using var _ = origin;
        await using var __ = proxy;
        var body = new string('y', 256 * 1024);
        origin.Handler = context =>
        {
            context.Response.Headers.CacheControl = "max-age=60";
            return context.Response.WriteAsync(body); // chunked: the size shows only as it streams
        };

        Assert.Equal(body, (await GetAsync(proxy.Client, "/big")).Body);
        Assert.Equal(body, (await GetAsync(proxy.Client, "/big")).Body);
        Assert.Equal(2, origin.Requests);
        Assert.Equal(0, Cache(proxy).Entries);
    }

    [Fact]
    public async Task RevalidationThatBringsABodyTooLargeToStore_IsCut_AndTheClientsOwnRequestStreamsIt()
    {
        var (origin, proxy) = await StartAsync(new CacheConfig { MaxSize = 1 << 20, MaxObjectSize = 64 * 1024 });
        await using var _ = origin;
        await using var __ = proxy;
        var body = "small";
        origin.Handler = context =>
        {
            context.Response.Headers.CacheControl = "max-age=10";
            context.Response.Headers.ETag = $"\"{body.Length}\"";
            return context.Response.WriteAsync(body);
        };

        await GetAsync(proxy.Client, "/grows");
        _clock.Advance(TimeSpan.FromSeconds(11));
        body = new string('z', 512 * 1024);
        var grown = await GetAsync(proxy.Client, "/grows");
        Assert.Equal((HttpStatusCode.OK, body.Length), (grown.Status, grown.Body.Length));
        Assert.Equal(3, origin.Requests); // the first fill, the revalidation cut at 64 KiB, the client's own request
        Assert.Equal(0, Cache(proxy).Entries);
    }

    [Theory]
    [InlineData("no-store", null)]
    [InlineData("private, max-age=60", null)]
    [InlineData("max-age=60", "Bearer token")]
    public async Task ResponsesAShareCacheMustNotStore_AreFetchedEveryTime(string cacheControl, string? authorization)
    {
        var (origin, proxy) = await StartAsync();
        await using var _ = origin;
        await using var __ = proxy;
        origin.Handler = context =>
        {
            context.Response.Headers.CacheControl = cacheControl;
            return context.Response.WriteAsync("x");
        };

        var headers = authorization is null ? [] : new[] { ("Authorization", authorization) };
        await GetAsync(proxy.Client, "/p", headers);
        var second = await GetAsync(proxy.Client, "/p", headers);
        Assert.DoesNotContain("stored", second.CacheStatus);
        Assert.Equal(2, origin.Requests);
    }

    [Fact]
    public async Task AuthorizedRequest_IsStored_WhenTheResponseSaysPublic_AndSetCookieDoesNotPreventStoring()
    {
        var (origin, proxy) = await StartAsync();
        await using var _ = origin;
        await using var __ = proxy;
        origin.Handler = static context =>
        {
            context.Response.Headers.CacheControl = "public, max-age=60";
            context.Response.Headers.SetCookie = "theme=dark";
            return context.Response.WriteAsync("shared");
        };

        await GetAsync(proxy.Client, "/auth", ("Authorization", "Bearer a"));
        var second = await GetAsync(proxy.Client, "/auth", ("Authorization", "Bearer b"));
        Assert.Equal(("shared", "fulcrum; hit"), (second.Body, second.CacheStatus));
        Assert.Equal("theme=dark", second.Response.Headers.GetValues("Set-Cookie").Single());
        Assert.Equal(1, origin.Requests);
    }

    [Fact]
    public async Task UnsafeMethod_InvalidatesTheStoredResponse()
    {
        var (origin, proxy) = await StartAsync();
        await using var _ = origin;
        await using var __ = proxy;
        await GetAsync(proxy.Client, "/doc");
        using var post = await proxy.Client.PostAsync("/doc", new StringContent("edit"));
        Assert.Equal("fulcrum; fwd=method", post.Headers.GetValues("Cache-Status").Single());
        Assert.StartsWith("fulcrum; fwd=uri-miss", (await GetAsync(proxy.Client, "/doc")).CacheStatus);
        Assert.Equal(3, origin.Requests);
    }

    [Fact]
    public async Task Reload_KeepsTheCachedEntries()
    {
        var (origin, proxy) = await StartAsync();
        await using var _ = origin;
        await using var __ = proxy;
        await GetAsync(proxy.Client, "/kept");
        var config = proxy.Store.Current.Config;
        proxy.Store.Apply(config with { Pools = [config.Pools[0] with { ConnectTimeout = TimeSpan.FromSeconds(3) }] });
        await Poll.UntilAsync(() => proxy.Plane.FilterServices is not null && proxy.Store.Current.Generation == 2, "the reload applied");
        await Poll.UntilAsync(async () => (await GetAsync(proxy.Client, "/kept")).CacheStatus == "fulcrum; hit", "a hit after the reload");
        Assert.Equal(1, origin.Requests);
    }
}
