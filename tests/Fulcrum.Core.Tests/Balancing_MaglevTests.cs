using Fulcrum.Core.Balancing;
using Fulcrum.Core.Hashing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests;

public sealed class MaglevTests
{
    private const int Keys = 10_000;

    [Fact]
    public void Maglev_SameKey_AlwaysSameBackend_AndEvenShares()
    {
        var backends = TestBackends.Equal(4);
        var first = TestBackends.Map(TestBackends.Create("maglev", backends), Keys);
        Assert.Equal(first, TestBackends.Map(TestBackends.Create("maglev", backends), Keys));
        foreach (var id in new[] { "a", "b", "c", "d" }) Assert.InRange(first.Count(x => x == id), 2250, 2750);
    }

    [Fact]
    public void Maglev_AddingFifthBackend_RemapsAtMost30Percent()
    {
        var five = TestBackends.Equal(5);
        var before = TestBackends.Map(TestBackends.Create("maglev", five[..4]), Keys);
        var after = TestBackends.Map(TestBackends.Create("maglev", five), Keys);
        var moved = Enumerable.Range(0, Keys).Count(k => before[k] != after[k]);
        Assert.InRange(moved, 1, Keys * 30 / 100);
    }

    [Fact]
    public void Maglev_BackendDown_MovesOnlyItsOwnKeys()
    {
        var backends = TestBackends.Equal(4);
        var maglev = TestBackends.Create("maglev", backends);
        var before = TestBackends.Map(maglev, Keys);
        backends[1].Health = HealthStatus.Down;
        var after = TestBackends.Map(maglev, Keys);
        ConsistentHashTests.AssertOnlyKeysOf("b", before, after);
        Assert.Equal(after, TestBackends.Map(maglev, Keys));
    }

    [Fact]
    public void MaglevTable_SlotsFollowWeights()
    {
        var table = MaglevTable.Build(["a", "b", "c"], [4, 2, 1], 65537);
        var counts = new int[3];
        for (ulong h = 0; h < (ulong)table.Size; h++) counts[table.Lookup(h)]++;
        Assert.InRange(counts[0], 37_000, 38_000); // 4/7 of 65537 = 37449
        Assert.InRange(counts[1], 18_400, 19_000); // 2/7 = 18725
        Assert.InRange(counts[2], 9_100, 9_600);   // 1/7 = 9362
    }

    [Fact]
    public void Maglev_SmallerPrimeTable_Works_AndNonPrimeIsRejected()
    {
        var backends = TestBackends.Equal(3);
        var maglev = new Maglev(backends, new ManualTimeProvider(), 251);
        var map = TestBackends.Map(maglev, 3000);
        foreach (var id in new[] { "a", "b", "c" }) Assert.InRange(map.Count(x => x == id), 800, 1200);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Maglev(backends, new ManualTimeProvider(), 250));
    }

    [Fact]
    public void Maglev_WeightChangedAtRuntime_RebuildsTheTable()
    {
        var time = new ManualTimeProvider();
        var backends = TestBackends.Equal(2);
        var maglev = TestBackends.Create("maglev", backends, new BalancerServices(time, new Random(1)));
        var before = TestBackends.Map(maglev, Keys);
        Assert.InRange(before.Count(id => id == "a"), 4500, 5500);

        backends[0].Weight = 3;
        Assert.Equal(before, TestBackends.Map(maglev, Keys)); // not checked again within the second
        time.Advance(TimeSpan.FromSeconds(1));
        Poll.Until(() => TestBackends.Map(maglev, Keys).Count(id => id == "a") is > 7000 and < 8000, "the table rebuilt with a at weight 3");
    }

    [Fact]
    public void Maglev_WithoutHash_FallsBackToRoundRobin()
    {
        var counts = TestBackends.Count(TestBackends.Create("maglev", TestBackends.Equal(3)), 30);
        Assert.Equal([10, 10, 10], new[] { counts["a"], counts["b"], counts["c"] });
    }
}
