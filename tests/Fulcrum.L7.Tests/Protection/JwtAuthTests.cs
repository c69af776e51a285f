using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Headers;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using Microsoft.IdentityModel.Tokens;

namespace Fulcrum.L7.Tests.Protection;

/// <summary>
/// `auth.jwt` against a JWKS served by a real Kestrel on 127.0.0.1, on a manual clock so lifetimes, the 30 s limit on
/// fetching an unknown `kid` and the background refresh are exact.
/// </summary>
public sealed class JwtAuthTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _clock = new();
    private readonly TokenIssuer _issuer;
    private Backends _backends = null!;
    private JwksServer _jwks = null!;

    public JwtAuthTests() => _issuer = new TokenIssuer(_clock);

    public async Task InitializeAsync()
    {
        _backends = await Backends.StartAsync("a");
        _jwks = await JwksServer.StartAsync(_issuer.Jwks("k1"));
    }

    public async Task DisposeAsync()
    {
        await _jwks.DisposeAsync();
        await _backends.DisposeAsync();
    }

    private JwtAuthConfig Jwt(string? jwks = null) => new()
    {
        Issuers = [TokenIssuer.Issuer],
        Audiences = [TokenIssuer.Audience],
        Jwks = jwks ?? _jwks.Url,
        Realm = "api",
        ForwardClaims = [new("sub", "X-User")],
    };

    private Task<ProxyHarness> StartAsync(params RouteConfig[] routes) =>
        ProxyHarness.StartAsync(Configs.Of(Configs.Web(routes), Configs.Pool("app", _backends.All)), new BalancerServices(_clock, new Random(1)));

    private static RouteConfig Route(JwtAuthConfig jwt, string prefix = "/") =>
        Configs.ToPool("app", new MatchConfig { PathPrefix = prefix }) with { Auth = new AuthConfig { Jwt = jwt } };

    private static async Task<HttpResponseMessage> GetAsync(ProxyHarness proxy, string? token, string path = "/echo", string? spoofedUser = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (spoofedUser is not null) request.Headers.Add("X-User", spoofedUser);
        return await proxy.Client.SendAsync(request);
    }

    private static long Count(ProxyHarness proxy, string decision, string reason = "", string route = "web#1") =>
        proxy.Store.Protection.Counter("web", route, "auth", decision, reason).Count;

    [Fact]
    public async Task EachKindOfToken_GetsItsStatusAndChallenge_AndIsCountedByReason()
    {
        var strictRoute = Route(Jwt() with { Require = [new ClaimRequirement("scope", ["admin"])] }, "/admin") with { Name = "admin" };
        await using var proxy = await StartAsync(strictRoute, Route(Jwt()));

        // A good token passes, and the backend sees the verified subject, not the one the client claimed.
        using (var ok = await GetAsync(proxy, _issuer.Token(sub: "alice"), spoofedUser: "root"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("alice", TestBackend.Echo.Parse(await ok.Content.ReadAsStringAsync()).Header("X-User"));
        }

        // Without a token the client's X-User is removed all the same (the request is refused anyway).
        using (var none = await GetAsync(proxy, null, spoofedUser: "root"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("Bearer realm=\"api\"", none.Headers.WwwAuthenticate.ToString());
        }

        var forged = new RsaSecurityKey(System.Security.Cryptography.RSA.Create(2048)) { KeyId = "k1" };
        var refusals = new (string Reason, string Token)[]
        {
            ("expired", _issuer.Token(expiresIn: TimeSpan.FromMinutes(-2))),          // past the 60 s skew
            ("bad-issuer", _issuer.Token(iss: "https://evil.example")),
            ("bad-audience", _issuer.Token(aud: "other-api")),
            ("bad-signature", _issuer.Token(signWith: forged)),                      // the right kid, another key
            ("bad-algorithm", _issuer.Unsigned()),                                    // alg: none
            ("malformed", "not.a.jwt"),
        };
        foreach (var (reason, token) in refusals)
        {
            using var response = await GetAsync(proxy, token);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{reason}: {response.StatusCode}");
            Assert.Equal($"Bearer realm=\"api\", error=\"invalid_token\", error_description=\"{reason}\"", response.Headers.WwwAuthenticate.ToString());
            Assert.Equal(1, Count(proxy, "rejected", reason, "web#2"));
        }

        // Within the clock skew an expired token still passes (RFC 7519 section 4.1.4 allows the leeway).
        using (var late = await GetAsync(proxy, _issuer.Token(expiresIn: TimeSpan.FromSeconds(-30))))
            Assert.Equal(HttpStatusCode.OK, late.StatusCode);

        // A required claim: a good token without it is 403, with it 200; `scope` is space-separated (RFC 8693).
        using (var noScope = await GetAsync(proxy, _issuer.Token(), "/admin"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, noScope.StatusCode);
            Assert.Contains("error=\"insufficient_scope\"", noScope.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        var admin = _issuer.Token(claims: new Dictionary<string, object> { ["scope"] = "read admin" });
        using (var withScope = await GetAsync(proxy, admin, "/admin"))
            Assert.Equal(HttpStatusCode.OK, withScope.StatusCode);

        Assert.Equal(1, Count(proxy, "rejected", "no-token", "web#2"));
        Assert.Equal(2, Count(proxy, "allowed", route: "web#2"));
        Assert.Equal(1, Count(proxy, "rejected", "missing-claim", "admin"));
        Assert.Equal(1, Count(proxy, "allowed", route: "admin"));
        Assert.Equal(3, _backends[0].Requests);
    }

    [Fact]
    public async Task ARepeatedToken_PassesFromTheCache_UntilItExpires()
    {
        await using var proxy = await StartAsync(Route(Jwt()));
        var token = _issuer.Token(expiresIn: TimeSpan.FromMinutes(5));
        for (var i = 0; i < 3; i++)
        {
            using var response = await GetAsync(proxy, token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        _clock.Advance(TimeSpan.FromMinutes(6) + TimeSpan.FromSeconds(1)); // past exp and the 60 s skew
        using var expired = await GetAsync(proxy, token);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(1, Count(proxy, "rejected", "expired"));
    }

    [Fact]
    public async Task AnUnknownKid_IsFetchedOnDemandAtMostEvery30Seconds_AndAcceptedOnceTheJwksHasIt()
    {
        await using var proxy = await StartAsync(Route(Jwt()));
        using (var first = await GetAsync(proxy, _issuer.Token("k1")))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(1, _jwks.Fetches);

        // The provider rotates to k2; within 30 s of the last fetch a token with k2 is refused without a fetch.
        _jwks.Publish(_issuer.Jwks("k1", "k2"));
        var rotated = _issuer.Token("k2", sub: "bob");
        using (var early = await GetAsync(proxy, rotated))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, early.StatusCode);
            Assert.Contains("error_description=\"unknown-kid\"", early.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal(1, _jwks.Fetches);

        // 30 s on, the unknown kid makes one fetch, which has it.
        _clock.Advance(TimeSpan.FromSeconds(30));
        using (var late = await GetAsync(proxy, rotated))
            Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal(2, _jwks.Fetches);

        // A made-up kid right after: refused, and no fetch (a client cannot make Fulcrum flood the provider).
        for (var i = 0; i < 5; i++)
        {
            using var madeUp = await GetAsync(proxy, _issuer.Token($"x{i}"));
            Assert.Equal(HttpStatusCode.Unauthorized, madeUp.StatusCode);
        }

        Assert.Equal(2, _jwks.Fetches);
        Assert.Equal(6, Count(proxy, "rejected", "unknown-kid"));
    }

    [Fact]
    public async Task AFailedFetch_KeepsTheLastGoodKeySet_AndTheBackgroundRefreshPicksUpTheNextGoodOne()
    {
        await using var proxy = await StartAsync(Route(Jwt() with { JwksRefresh = TimeSpan.FromMinutes(1) }));
        using (var first = await GetAsync(proxy, _issuer.Token("k1")))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var source = Assert.Single(proxy.Plane.FilterServices.Auth.Sources);

        // The provider answers 500, then a body with no usable key (CVE-2025-64527: Envoy crashed here).
        _jwks.Fail(500);
        _clock.Advance(TimeSpan.FromMinutes(1)); // the refresh is due within 54-60 s (10% jitter)
        await Poll.UntilAsync(() => source.Failures == 1, "the background fetch failed");
        _jwks.Publish("{\"keys\":[]}");
        _clock.Advance(TimeSpan.FromSeconds(30)); // after a failure the next try comes within 30 s
        await Poll.UntilAsync(() => source.Failures == 2, "the second background fetch failed");
        using (var during = await GetAsync(proxy, _issuer.Token("k1", sub: "carol")))
            Assert.Equal(HttpStatusCode.OK, during.StatusCode);

        // The provider is back with a rotated set: the background refresh takes it without waiting for an unknown kid.
        _jwks.Publish(_issuer.Jwks("k2"));
        _clock.Advance(TimeSpan.FromSeconds(30));
        await Poll.UntilAsync(() => source.Keys?.For("k2") is not null, "the rotated key set loaded");
        using (var rotated = await GetAsync(proxy, _issuer.Token("k2")))
            Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        using (var retired = await GetAsync(proxy, _issuer.Token("k1", sub: "dave")))
            Assert.Equal(HttpStatusCode.Unauthorized, retired.StatusCode);
    }

    [Fact]
    public async Task AJwksFile_Works_AndTheTokenIsNotForwardedWhenToldSo()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("fulcrum-jwks-").FullName, "jwks.json");
        await File.WriteAllTextAsync(file, _issuer.Jwks("k1"));
        await using var proxy = await StartAsync(Route(Jwt(file) with { ForwardToken = false }));
        using var response = await GetAsync(proxy, _issuer.Token());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(TestBackend.Echo.Parse(await response.Content.ReadAsStringAsync()).Header("Authorization"));
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }

    [Fact]
    public async Task ARateLimitKeyedByJwtSub_CountsEachSubjectApart_FromTheVerifiedToken()
    {
        var limit = new RateLimitConfig { Key = RateLimitKeySource.Jwt, KeyName = "sub", Rate = 1.0 / 3600, NoDelay = true };
        await using var proxy = await StartAsync(Route(Jwt()) with { RateLimits = [limit] });
        var alice = _issuer.Token(sub: "alice");

        async Task<HttpStatusCode> StatusAsync(string? token)
        {
            using var response = await GetAsync(proxy, token, "/");
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(alice));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(alice));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(_issuer.Token(sub: "alice", expiresIn: TimeSpan.FromMinutes(30)))); // another token, same subject
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(_issuer.Token(sub: "bob")));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(_issuer.Token(sub: "alice", iss: "https://evil.example"))); // never reaches the limit
        Assert.Equal(2, proxy.Store.Protection.Counter("web", "web#1", "rate-limit", "limited").Count);
        Assert.Equal(2, proxy.Store.Protection.Counter("web", "web#1", "rate-limit", "allowed").Count);
    }
}
