using Fulcrum.Core.Balancing;
using Fulcrum.Core.Hashing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests;

public sealed class IpHashTests
{
    [Fact]
    public void IpHash_SameKey_AlwaysSameBackend_AndKeysSpread()
    {
        var ipHash = TestBackends.Create("ip-hash", TestBackends.Equal(4));
        var first = TestBackends.Map(ipHash, 4000);
        Assert.Equal(first, TestBackends.Map(ipHash, 4000));
        foreach (var id in new[] { "a", "b", "c", "d" }) Assert.InRange(first.Count(x => x == id), 800, 1200);
    }

    [Fact]
    public void IpHash_DownBackend_MovesOnlyItsOwnKeys_Deterministically()
    {
        var backends = TestBackends.Equal(4);
        var ipHash = TestBackends.Create("ip-hash", backends);
        var before = TestBackends.Map(ipHash, 4000);
        backends[1].Health = HealthStatus.Down;
        var after = TestBackends.Map(ipHash, 4000);

        for (var k = 0; k < before.Length; k++)
        {
            if (before[k] == "b") Assert.NotEqual("b", after[k]);
            else Assert.Equal(before[k], after[k]);
        }

        Assert.Equal(after, TestBackends.Map(ipHash, 4000));
    }

    [Fact]
    public void IpHash_Weights_GiveProportionalShares()
    {
        var map = TestBackends.Map(TestBackends.Create("ip-hash", TestBackends.Weighted(3, 1)), 4000);
        Assert.InRange(map.Count(x => x == "a"), 2800, 3200);
    }

    [Fact]
    public void IpHash_WithoutHash_FallsBackToRoundRobin()
    {
        var counts = TestBackends.Count(TestBackends.Create("ip-hash", TestBackends.Equal(3)), 30);
        Assert.Equal([10, 10, 10], new[] { counts["a"], counts["b"], counts["c"] });
    }

    [Fact]
    public void IpHash_OnlyOneUsable_EveryKeyGoesThere()
    {
        var backends = TestBackends.Equal(3);
        backends[0].Health = HealthStatus.Down;
        backends[2].Intent = OperatorIntent.Draining;
        var ipHash = TestBackends.Create("ip-hash", backends);
        for (var k = 0; k < 500; k++) Assert.Equal("b", ipHash.Pick(new PickContext(KeyHash.Of($"k{k}")))!.Id);
    }
}
