using Fulcrum.Core.Balancing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests;

public sealed class RandomTests
{
    [Fact]
    public void Random_Weights532_DistributesWithinTwoPercent()
    {
        var counts = TestBackends.Count(TestBackends.Create("random", TestBackends.Weighted(5, 3, 2)), 20_000);
        Assert.InRange(counts["a"], 9_600, 10_400);
        Assert.InRange(counts["b"], 5_600, 6_400);
        Assert.InRange(counts["c"], 3_600, 4_400);
    }

    [Fact]
    public void Random_SkipsUnusableAndZeroWeight()
    {
        var backends = TestBackends.Weighted(1, 1, 0);
        backends[0].Health = HealthStatus.Down;
        var counts = TestBackends.Count(TestBackends.Create("random", backends), 200);
        Assert.Equal(200, counts["b"]);
    }

    [Fact]
    public void Random_SameSeed_SameSequence()
    {
        var one = TestBackends.Create("random", TestBackends.Weighted(1, 1, 1), new BalancerServices(new ManualTimeProvider(), new Random(7)));
        var two = TestBackends.Create("random", TestBackends.Weighted(1, 1, 1), new BalancerServices(new ManualTimeProvider(), new Random(7)));
        Assert.Equal(TestBackends.Sequence(one, 50), TestBackends.Sequence(two, 50));
    }
}
