using Fulcrum.Core.Affinity;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests.Affinity;

public sealed class CookieAffinityTests
{
    private static FulcrumConfig Config(AffinityConfig affinity, params string[] addresses) => new()
    {
        Pools =
        [
            new PoolConfig
            {
                Name = "web",
                Affinity = affinity,
                Backends = [.. addresses.Select(a => new BackendConfig { Address = a })],
            },
        ],
    };

    private static readonly AffinityConfig Cookie = new() { Mode = AffinityMode.Cookie, Cookie = "SERVERID" };

    private static string TokenOf(string setCookie) => setCookie[(setCookie.IndexOf('=') + 1)..setCookie.IndexOf(';')];

    [Fact]
    public void Token_IsTheSameAfterReload_AndOnAnotherInstanceWithTheSameConfig()
    {
        var config = Config(Cookie, "127.0.0.1:9001", "127.0.0.1:9002");
        var one = new TopologyStore(config);
        var other = new TopologyStore(config);
        var pool = one.Current.Pools["web"];
        var b2 = pool.Backends[1];
        var token = TokenOf(pool.Affinity!.SetCookieFor(b2, https: false)!);

        one.Apply(config with { Pools = [config.Pools[0] with { Backends = config.Pools[0].Backends.Add(new BackendConfig { Address = "127.0.0.1:9003" }) }] });

        Assert.Equal(AffinityDecision.Sticky, one.Current.Pools["web"].Affinity!.ResolveCookie(token, out var afterReload));
        Assert.Same(b2, afterReload);
        Assert.Equal(AffinityDecision.Sticky, other.Current.Pools["web"].Affinity!.ResolveCookie(token, out var elsewhere));
        Assert.Equal("127.0.0.1:9002", elsewhere!.Address);
    }

    [Fact]
    public void Token_IsOpaque_AndDependsOnTheSecret()
    {
        var plain = new TopologyStore(Config(Cookie, "127.0.0.1:9001")).Current.Pools["web"];
        var secret = new TopologyStore(Config(Cookie with { Secret = "s3cret" }, "127.0.0.1:9001")).Current.Pools["web"];
        var a = TokenOf(plain.Affinity!.SetCookieFor(plain.Backends[0], false)!);
        var b = TokenOf(secret.Affinity!.SetCookieFor(secret.Backends[0], false)!);

        Assert.NotEqual(a, b);
        Assert.Equal(22, a.Length);
        Assert.DoesNotContain("127", a);
        Assert.Equal(AffinityDecision.Rebalance, secret.Affinity.ResolveCookie(a, out _));
    }

    [Fact]
    public void DownBackend_Rebalances_ByDefault_AndFailsWithThePolicy()
    {
        var rebalance = new TopologyStore(Config(Cookie, "127.0.0.1:9001", "127.0.0.1:9002")).Current.Pools["web"];
        var fail = new TopologyStore(Config(Cookie with { OnUnavailable = AffinityUnavailablePolicy.Fail }, "127.0.0.1:9001")).Current.Pools["web"];
        var t1 = TokenOf(rebalance.Affinity!.SetCookieFor(rebalance.Backends[0], false)!);
        var t2 = TokenOf(fail.Affinity!.SetCookieFor(fail.Backends[0], false)!);
        rebalance.Backends[0].Health = HealthStatus.Down;
        fail.Backends[0].Health = HealthStatus.Down;

        Assert.Equal(AffinityDecision.Rebalance, rebalance.Affinity.ResolveCookie(t1, out var none));
        Assert.Null(none);
        Assert.Equal(AffinityDecision.Unavailable, fail.Affinity!.ResolveCookie(t2, out _));
    }

    [Fact]
    public void RemovedBackend_Rebalances_EvenUnderTheFailPolicy()
    {
        var config = Config(Cookie with { OnUnavailable = AffinityUnavailablePolicy.Fail }, "127.0.0.1:9001", "127.0.0.1:9002");
        var store = new TopologyStore(config);
        var token = TokenOf(store.Current.Pools["web"].Affinity!.SetCookieFor(store.Current.Pools["web"].Backends[1], false)!);

        store.Apply(config with { Pools = [config.Pools[0] with { Backends = config.Pools[0].Backends.RemoveAt(1) }] });

        Assert.Equal(AffinityDecision.Rebalance, store.Current.Pools["web"].Affinity!.ResolveCookie(token, out _));
    }

    [Fact]
    public void DrainingBackend_KeepsItsStickyClients_ButMaintenanceDoesNot()
    {
        var pool = new TopologyStore(Config(Cookie, "127.0.0.1:9001", "127.0.0.1:9002")).Current.Pools["web"];
        var token = TokenOf(pool.Affinity!.SetCookieFor(pool.Backends[0], false)!);

        pool.Backends[0].Intent = OperatorIntent.Draining;
        Assert.Equal(AffinityDecision.Sticky, pool.Affinity.ResolveCookie(token, out var drained));
        Assert.Same(pool.Backends[0], drained);

        pool.Backends[0].Intent = OperatorIntent.Maintenance;
        Assert.Equal(AffinityDecision.Rebalance, pool.Affinity.ResolveCookie(token, out _));
    }

    [Fact]
    public void NoCookie_IsNoKey_AndGarbageRebalances()
    {
        var pool = new TopologyStore(Config(Cookie, "127.0.0.1:9001")).Current.Pools["web"];

        Assert.Equal(AffinityDecision.NoKey, pool.Affinity!.ResolveCookie("", out _));
        Assert.Equal(AffinityDecision.Rebalance, pool.Affinity.ResolveCookie("not-a-token", out _));
    }

    [Fact]
    public void SetCookie_CarriesEveryConfiguredAttribute()
    {
        var config = Cookie with
        {
            Ttl = TimeSpan.FromHours(1),
            Path = "/app",
            Domain = "example.test",
            SameSite = SameSiteMode.Strict,
        };
        var pool = new TopologyStore(Config(config, "127.0.0.1:9001")).Current.Pools["web"];

        var http = pool.Affinity!.SetCookieFor(pool.Backends[0], https: false)!;
        var https = pool.Affinity.SetCookieFor(pool.Backends[0], https: true)!;

        Assert.StartsWith("SERVERID=", http);
        Assert.Contains("; Path=/app", http);
        Assert.Contains("; Domain=example.test", http);
        Assert.Contains("; Max-Age=3600", http);
        Assert.Contains("; HttpOnly", http);
        Assert.Contains("; SameSite=Strict", http);
        Assert.DoesNotContain("Secure", http);
        Assert.Contains("; Secure", https);
    }

    [Fact]
    public void SetCookie_WithoutTtl_IsASessionCookie_AndSameSiteNoneForcesSecure()
    {
        var pool = new TopologyStore(Config(Cookie with { SameSite = SameSiteMode.None, HttpOnly = false }, "127.0.0.1:9001")).Current.Pools["web"];

        var value = pool.Affinity!.SetCookieFor(pool.Backends[0], https: false)!;

        Assert.DoesNotContain("Max-Age", value);
        Assert.DoesNotContain("HttpOnly", value);
        Assert.Contains("; Secure", value);
        Assert.Contains("SameSite=None", value);
    }

    [Fact]
    public void BackendOfAnotherPool_HasNoCookie()
    {
        var pool = new TopologyStore(Config(Cookie, "127.0.0.1:9001")).Current.Pools["web"];

        Assert.Null(pool.Affinity!.SetCookieFor(new Backend("x", "127.0.0.1:1", 1), false));
    }

    [Fact]
    public void PoolWithoutAffinity_HasNone()
    {
        var config = new FulcrumConfig { Pools = [new PoolConfig { Name = "p", Backends = [new BackendConfig { Address = "127.0.0.1:1" }] }] };

        Assert.Null(new TopologyStore(config).Current.Pools["p"].Affinity);
    }
}
