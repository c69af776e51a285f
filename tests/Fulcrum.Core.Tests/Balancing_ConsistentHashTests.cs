using Fulcrum.Core.Balancing;
using Fulcrum.Core.Hashing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests;

public sealed class ConsistentHashTests
{
    private const int Keys = 10_000;

    [Fact]
    public void ConsistentHash_SameKey_AlwaysSameBackend()
    {
        var backends = TestBackends.Equal(4);
        var first = TestBackends.Map(TestBackends.Create("consistent-hash", backends), Keys);
        Assert.Equal(first, TestBackends.Map(TestBackends.Create("consistent-hash", backends), Keys));
        foreach (var id in new[] { "a", "b", "c", "d" }) Assert.InRange(first.Count(x => x == id), 1800, 3200);
    }

    [Fact]
    public void ConsistentHash_AddingFifthBackend_RemapsAtMost30Percent_AllToTheNewOne()
    {
        var five = TestBackends.Equal(5);
        var before = TestBackends.Map(TestBackends.Create("consistent-hash", five[..4]), Keys);
        var after = TestBackends.Map(TestBackends.Create("consistent-hash", five), Keys);
        var moved = 0;
        for (var k = 0; k < Keys; k++)
        {
            if (before[k] == after[k]) continue;
            moved++;
            Assert.Equal("e", after[k]);
        }

        Assert.InRange(moved, 1, Keys * 30 / 100);
    }

    [Fact]
    public void ConsistentHash_BackendDown_MovesOnlyItsOwnKeys()
    {
        var backends = TestBackends.Equal(4);
        var ch = TestBackends.Create("consistent-hash", backends);
        var before = TestBackends.Map(ch, Keys);
        backends[2].Health = HealthStatus.Down;
        AssertOnlyKeysOf("c", before, TestBackends.Map(ch, Keys));
    }

    [Fact]
    public void ConsistentHash_BackendRemovedFromSet_MovesOnlyItsOwnKeys()
    {
        var backends = TestBackends.Equal(4);
        var before = TestBackends.Map(TestBackends.Create("consistent-hash", backends), Keys);
        var after = TestBackends.Map(TestBackends.Create("consistent-hash", [backends[0], backends[1], backends[3]]), Keys);
        AssertOnlyKeysOf("c", before, after);
    }

    [Fact]
    public void ConsistentHash_Weights3To1_GiveAboutThreeQuarters()
    {
        var map = TestBackends.Map(TestBackends.Create("consistent-hash", TestBackends.Weighted(3, 1)), Keys);
        Assert.InRange(map.Count(x => x == "a"), 7000, 8000);
    }

    [Fact]
    public void ConsistentHash_WeightChangedAtRuntime_RebuildsTheRing_MovingOnlyTheKeysOfChangedPoints()
    {
        var time = new ManualTimeProvider();
        var backends = TestBackends.Weighted(1, 1, 1);
        var ch = TestBackends.Create("consistent-hash", backends, new BalancerServices(time, new Random(1)));
        var before = TestBackends.Map(ch, Keys);
        backends[0].Weight = 3;
        time.Advance(TimeSpan.FromSeconds(1));

        // a gains points (its first 160 stay where they were), so keys only move to a.
        Poll.Until(() => TestBackends.Map(ch, Keys).Count(id => id == "a") > Keys / 2, "the ring rebuilt with a at weight 3");
        var after = TestBackends.Map(ch, Keys);
        for (var k = 0; k < Keys; k++)
        {
            if (before[k] != after[k]) Assert.Equal("a", after[k]);
        }

        backends[0].Weight = 1;
        time.Advance(TimeSpan.FromSeconds(1));
        Poll.Until(() => TestBackends.Map(ch, Keys).SequenceEqual(before), "the ring rebuilt as it was");
    }

    [Fact]
    public void ConsistentHash_ThreeHundredBackends_StayWithinThePointBudget()
    {
        var ring = HashRing.Build(Enumerable.Range(0, 300).Select(TestBackends.NameOf).ToArray(), Enumerable.Repeat(10, 300).ToArray());
        Assert.InRange(ring.Count, HashRing.MaxPoints - 300, HashRing.MaxPoints);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(300)]
    public void HashRing_Find_ReturnsTheFirstPointAtOrAfterTheHash_WrappingAround(int backends)
    {
        var ring = HashRing.Build(Enumerable.Range(0, backends).Select(TestBackends.NameOf).ToArray(), Enumerable.Repeat(3, backends).ToArray());
        var random = new Random(11);
        var hashes = new List<ulong> { 0, ulong.MaxValue, ring.PointAt(0), ring.PointAt(ring.Count - 1), ring.PointAt(ring.Count - 1) + 1 };
        for (var i = 0; i < 2000; i++) hashes.Add((ulong)random.NextInt64() * 2 + (ulong)random.Next(2));
        for (var i = 0; i < 200; i++) hashes.Add(ring.PointAt(random.Next(ring.Count)) - (ulong)random.Next(2));

        foreach (var hash in hashes)
        {
            var p = ring.Find(hash);
            if (hash > ring.PointAt(ring.Count - 1))
            {
                Assert.Equal(0, p);
                continue;
            }

            Assert.True(ring.PointAt(p) >= hash);
            if (p > 0) Assert.True(ring.PointAt(p - 1) < hash);
        }
    }

    internal static void AssertOnlyKeysOf(string gone, string[] before, string[] after)
    {
        var moved = 0;
        for (var k = 0; k < before.Length; k++)
        {
            if (before[k] == gone)
            {
                Assert.NotEqual(gone, after[k]);
                moved++;
            }
            else
            {
                Assert.Equal(before[k], after[k]);
            }
        }

        Assert.True(moved > 0);
    }
}
