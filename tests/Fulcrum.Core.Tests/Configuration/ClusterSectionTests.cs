using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

/// <summary>The `cluster:` section: its defaults, its mistakes at their place, and a password that never shows.</summary>
public sealed class ClusterSectionTests
{
    [Fact]
    public void OnlyRedis_TakesTheDefaults()
    {
        var cluster = ConfigAssert.Valid("cluster:\n  redis: 127.0.0.1:6379\n").Cluster!;
        Assert.Equal((Environment.MachineName, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(50), false),
            (cluster.Instance, cluster.Heartbeat, cluster.RateLimitTimeout, cluster.ShareEjections));
    }

    [Fact]
    public void NoClusterSection_IsAnInstanceOnItsOwn() => Assert.Null(ConfigAssert.Valid("pools: []\n").Cluster);

    [Theory]
    [InlineData("cluster: { instance: lb-1 }\n", 1, 10, "cluster is missing required key 'redis'")]
    [InlineData("cluster: { redis: \"\" }\n", 1, 19, "cluster.redis must name a Redis server, like 127.0.0.1:6379 (a StackExchange.Redis configuration string)")]
    [InlineData("cluster: { redis: r:6379, instance: \"lb 1\" }\n", 1, 37, "cluster.instance must be one word of 1 to 64 characters without spaces, like lb-1, not 'lb 1'")]
    [InlineData("cluster: { redis: r:6379, heartbeat: 0s }\n", 1, 38, "'heartbeat' must be longer than 0")]
    [InlineData("cluster: { redis: r:6379, share-ejection: true }\n", 1, 27, "unknown key 'share-ejection' in cluster; did you mean 'share-ejections'?")]
    public void Mistakes_AreNamedAtTheirPlace(string yaml, int line, int column, string message) =>
        ConfigAssert.OneError(yaml, line, column, message);

    [Fact]
    public void ThePassword_NeverShows()
    {
        var cluster = ConfigAssert.Valid("cluster:\n  redis: \"r.internal:6379,password=s3cret,ssl=true\"\n").Cluster!;
        Assert.Equal("r.internal:6379,password=***,ssl=true", cluster.RedactedRedis);
        Assert.DoesNotContain("s3cret", cluster.ToString(), StringComparison.Ordinal);
    }
}
