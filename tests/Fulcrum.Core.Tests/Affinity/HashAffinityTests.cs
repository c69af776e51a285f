using System.Net;
using Fulcrum.Core.Affinity;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests.Affinity;

public sealed class HashAffinityTests
{
    private static Pool PoolWith(AffinityConfig affinity, string algorithm = "round-robin") => new TopologyStore(new FulcrumConfig
    {
        Pools =
        [
            new PoolConfig
            {
                Name = "app",
                Algorithm = algorithm,
                Affinity = affinity,
                Backends = [.. Enumerable.Range(1, 5).Select(i => new BackendConfig { Address = $"127.0.0.1:{9000 + i}" })],
            },
        ],
    }).Current.Pools["app"];

    [Theory]
    [InlineData("round-robin")]
    [InlineData("least-connections")]
    [InlineData("random")]
    public void AppCookie_KeepsEachSessionOnOneBackend_WhateverTheBalancer(string algorithm)
    {
        var pool = PoolWith(new AffinityConfig { Mode = AffinityMode.AppCookie, Cookie = "JSESSIONID" }, algorithm);
        var used = new HashSet<Backend>();

        for (var session = 0; session < 50; session++)
        {
            var key = "session-" + session;
            Assert.Equal(AffinityDecision.Sticky, pool.Affinity!.PickByKey(key, out var first));
            for (var i = 0; i < 5; i++)
            {
                pool.Affinity.PickByKey(key, out var again);
                Assert.Same(first, again);
            }

            used.Add(first!);
        }

        Assert.True(used.Count >= 3, "sessions should spread over the pool");
        Assert.Equal("JSESSIONID", pool.Affinity!.KeyName);
    }

    [Fact]
    public void Header_WhenItsBackendGoesDown_MovesOnlyThoseKeys_AndNoKeyLeavesItToTheBalancer()
    {
        var pool = PoolWith(new AffinityConfig { Mode = AffinityMode.Header, Header = "X-User-Id" });
        var before = new Dictionary<string, Backend>();
        for (var user = 0; user < 200; user++)
        {
            pool.Affinity!.PickByKey("user-" + user, out var b);
            before["user-" + user] = b!;
        }

        var down = pool.Backends[2];
        down.Health = HealthStatus.Down;

        foreach (var (user, was) in before)
        {
            pool.Affinity!.PickByKey(user, out var now);
            Assert.NotSame(down, now);
            if (was != down) Assert.Same(was, now);
        }

        Assert.Equal(AffinityDecision.NoKey, pool.Affinity!.PickByKey("", out _));
        Assert.Equal("X-User-Id", pool.Affinity.KeyName);
    }

    [Fact]
    public void SourceIp_KeepsAClientsPrefixTogether()
    {
        var pool = PoolWith(new AffinityConfig { Mode = AffinityMode.SourceIp, Ipv4Prefix = 24 });

        pool.Affinity!.PickBySource(IPAddress.Parse("198.51.100.7"), out var a);
        pool.Affinity.PickBySource(IPAddress.Parse("198.51.100.250"), out var b);

        Assert.NotNull(a);
        Assert.Same(a, b);
        Assert.Equal(AffinityDecision.NoKey, pool.Affinity.PickBySource(null, out _));
    }
}
