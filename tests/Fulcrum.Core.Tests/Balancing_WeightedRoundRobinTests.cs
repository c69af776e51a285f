using Fulcrum.Core.Balancing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests;

public sealed class WeightedRoundRobinTests
{
    [Fact]
    public void WeightedRoundRobin_Weights532Over1000Picks_GivesExactly500_300_200()
    {
        var counts = TestBackends.Count(TestBackends.Create("weighted-round-robin", TestBackends.Weighted(5, 3, 2)), 1000);
        Assert.Equal(500, counts["a"]);
        Assert.Equal(300, counts["b"]);
        Assert.Equal(200, counts["c"]);
    }

    [Fact]
    public void WeightedRoundRobin_Weights511_InterleavesLikeNginx()
    {
        var wrr = TestBackends.Create("weighted-round-robin", TestBackends.Weighted(5, 1, 1));
        Assert.Equal("aabacaa" + "aabacaa", TestBackends.Sequence(wrr, 14));
    }

    [Fact]
    public void WeightedRoundRobin_DownBackend_GetsNothing_AndTheRestKeepTheirRatio()
    {
        var backends = TestBackends.Weighted(5, 3, 2);
        var wrr = TestBackends.Create("weighted-round-robin", backends);
        TestBackends.Count(wrr, 7); // mid-cycle
        backends[2].Health = HealthStatus.Down;
        var counts = TestBackends.Count(wrr, 800);
        Assert.False(counts.ContainsKey("c"));
        // 5:3 from whatever current weights the interruption left: at most one pick off.
        Assert.InRange(counts["a"], 499, 501);
        Assert.Equal(800, counts["a"] + counts["b"]);
    }

    [Fact]
    public void WeightedRoundRobin_WeightChangedAtRuntime_AppliesOnTheNextPicks()
    {
        var backends = TestBackends.Weighted(1, 1);
        var wrr = TestBackends.Create("weighted-round-robin", backends);
        TestBackends.Count(wrr, 2);
        backends[1].Weight = 3;
        var counts = TestBackends.Count(wrr, 400);
        Assert.Equal(100, counts["a"]);
        Assert.Equal(300, counts["b"]);
    }

    [Fact]
    public void WeightedRoundRobin_ConcurrentPicks_StillGiveExactRatio()
    {
        var wrr = TestBackends.Create("weighted-round-robin", TestBackends.Weighted(5, 3, 2));
        var counts = new int[3];
        const int PerThread = 20_000;
        var threads = new Thread[4];
        for (var t = 0; t < threads.Length; t++)
        {
            threads[t] = new Thread(() =>
            {
                for (var i = 0; i < PerThread; i++)
                {
                    Interlocked.Increment(ref counts[wrr.Pick(PickContext.None)!.Id[0] - 'a']);
                }
            });
            threads[t].Start();
        }

        foreach (var thread in threads) Assert.True(thread.Join(TimeSpan.FromSeconds(30)));
        Assert.Equal([40_000, 24_000, 16_000], counts);
    }
}
