using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

public sealed class RateLimitParserTests
{
    private static ConfigLoadResult Load(string rateLimit) => ConfigLoader.LoadText($$"""
        listeners:
          - name: web
            bind: 127.0.0.1:8080
            routes:
              - pool: app
                rate-limit: {{rateLimit}}
        pools:
          - name: app
            backends: [ { address: 127.0.0.1:9001 } ]
        """, "f.yaml");

    [Fact]
    public void OneLimit_ReadsEveryKey()
    {
        var result = Load("{ key: header:X-Api-Key, rate: 600/m, burst: 20, nodelay: true, status: 503, headers: true, max-keys: 5000 }");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var limit = Assert.Single(result.Config!.Listeners[0].Routes[0].RateLimits);
        Assert.Equal((RateLimitKeySource.Header, "X-Api-Key", 10.0, 20, true, 503, true, 5000),
            (limit.Key, limit.KeyName, limit.Rate, limit.Burst, limit.NoDelay, limit.Status, limit.Headers, limit.MaxKeys));
    }

    [Fact]
    public void AList_IsSeveralLimits_WithNginxDefaults()
    {
        var result = Load("[ { rate: 100/s }, { key: route, rate: 1000/h } ]");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var limits = result.Config!.Listeners[0].Routes[0].RateLimits;
        Assert.Equal((RateLimitKeySource.ClientIp, 100.0, 0, false, 429), (limits[0].Key, limits[0].Rate, limits[0].Burst, limits[0].NoDelay, limits[0].Status));
        Assert.Equal(RateLimitKeySource.Route, limits[1].Key);
        Assert.Equal(1000.0 / 3600, limits[1].Rate, 9);
    }

    [Fact]
    public void ClusterScope_WithAClusterSection_IsRead()
    {
        var result = ConfigLoader.LoadText("""
            cluster: { redis: 127.0.0.1:6379, instance: lb-1, heartbeat: 500ms, rate-limit-timeout: 20ms, share-ejections: true }
            listeners:
              - name: web
                bind: 127.0.0.1:8080
                routes:
                  - pool: app
                    rate-limit: { rate: 10/s, scope: cluster }
            pools:
              - name: app
                backends: [ { address: 127.0.0.1:9001 } ]
            """, "f.yaml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(RateLimitScope.Cluster, result.Config!.Listeners[0].Routes[0].RateLimits[0].Scope);
        var cluster = result.Config.Cluster!;
        Assert.Equal(("127.0.0.1:6379", "lb-1", TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(20), true),
            (cluster.Redis, cluster.Instance, cluster.Heartbeat, cluster.RateLimitTimeout, cluster.ShareEjections));
    }

    [Theory]
    [InlineData("{ rate: 100 }", "f.yaml:6:29: 'rate' must be requests per second, minute or hour, like 100/s or 600/m, not '100'")]
    [InlineData("{ rate: 0/s }", "f.yaml:6:29: 'rate' must be requests per second")]
    [InlineData("{ burst: 5 }", "f.yaml:6:21: rate-limit is missing required key 'rate'")]
    [InlineData("{ key: jwt:sub, rate: 1/s }", "f.yaml:6:21: rate-limit key 'jwt:sub' needs 'auth: { jwt: ... }' on the same route")]
    [InlineData("{ key: \"jwt:\", rate: 1/s }", "f.yaml:6:28: rate-limit key must be client-ip, header:NAME, cookie:NAME, jwt:CLAIM or route, not 'jwt:'")]
    [InlineData("{ key: ip, rate: 1/s }", "f.yaml:6:28: rate-limit key must be client-ip, header:NAME, cookie:NAME, jwt:CLAIM or route, not 'ip'")]
    [InlineData("{ rate: 1/s, scope: cluster }", "f.yaml:6:41: rate-limit scope 'cluster' shares its counters through Redis: add a 'cluster:' section")]
    [InlineData("{ rate: 1/s, scope: global }", "f.yaml:6:41: rate-limit scope must be local or cluster, not 'global'")]
    [InlineData("{ rate: 1/s, status: 200 }", "f.yaml:6:42: 'status' must be from 400 to 599")]
    public void Mistakes_AreNamedAtTheirPlace(string rateLimit, string error)
    {
        var result = Load(rateLimit);
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.ToString().StartsWith(error, StringComparison.Ordinal));
    }
}
