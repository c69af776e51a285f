using Fulcrum.Core.Balancing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests;

public sealed class RoundRobinTests
{
    [Fact]
    public void RoundRobin_GivesEachBackendItsTurn()
    {
        var backends = new[] { new Backend("a", "127.0.0.1:1", 1), new Backend("b", "127.0.0.1:2", 1) };
        var rr = BalancerRegistry.Get("round-robin").Create(backends, BalancerServices.Default);
        Assert.Equal("a", rr.Pick(PickContext.None)!.Id);
        Assert.Equal("b", rr.Pick(PickContext.None)!.Id);
        Assert.Equal("a", rr.Pick(PickContext.None)!.Id);
    }

    [Fact]
    public void RoundRobin_300PicksOverThree_GivesExactly100Each()
    {
        var counts = TestBackends.Count(TestBackends.Create("round-robin", TestBackends.Equal(3)), 300);
        Assert.Equal(100, counts["a"]);
        Assert.Equal(100, counts["b"]);
        Assert.Equal(100, counts["c"]);
    }

    [Fact]
    public void RoundRobin_IgnoresWeights_ButSkipsDownAndZeroWeightBackends()
    {
        var backends = TestBackends.Weighted(5, 1, 1, 0);
        backends[1].Health = HealthStatus.Down;
        var counts = TestBackends.Count(TestBackends.Create("round-robin", backends), 100);
        Assert.Equal(100, counts["a"] + counts["c"]);
        Assert.Equal(50, counts["a"]);
    }

    [Fact]
    public void RoundRobin_DownBackend_ItsTurnsAreSharedEvenly()
    {
        var backends = TestBackends.Equal(4);
        backends[1].Health = HealthStatus.Down;
        var counts = TestBackends.Count(TestBackends.Create("round-robin", backends), 300);
        Assert.Equal([100, 100, 100], new[] { counts["a"], counts["c"], counts["d"] });
    }
}
