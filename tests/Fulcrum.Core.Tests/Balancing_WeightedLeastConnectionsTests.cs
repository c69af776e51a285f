using Fulcrum.Core.Balancing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests;

public sealed class WeightedLeastConnectionsTests
{
    [Fact]
    public void WeightedLeastConnections_Weights3To1_HoldActiveWorkInThatRatio()
    {
        var time = new ManualTimeProvider();
        var backends = TestBackends.Weighted(3, 1);
        var wlc = TestBackends.Create("weighted-least-connections", backends);
        var held = new List<Lease>();
        for (var i = 0; i < 40; i++) held.Add(wlc.Pick(PickContext.None)!.Acquire(time));

        Assert.Equal(30, backends[0].Stats.Active);
        Assert.Equal(10, backends[1].Stats.Active);
        foreach (var lease in held) lease.Release(Outcome.Success);
    }

    [Fact]
    public void WeightedLeastConnections_Ties_Rotate()
    {
        var counts = TestBackends.Count(TestBackends.Create("weighted-least-connections", TestBackends.Weighted(2, 2, 2)), 30);
        Assert.Equal(10, counts["a"]);
        Assert.Equal(10, counts["b"]);
        Assert.Equal(10, counts["c"]);
    }

    [Fact]
    public void WeightedLeastConnections_ComparesActivePerWeight_NotActive()
    {
        var time = new ManualTimeProvider();
        var backends = TestBackends.Weighted(10, 1);
        var held = new List<Lease>();
        for (var i = 0; i < 5; i++) held.Add(backends[0].Acquire(time)); // 5/10 = 0.5
        held.Add(backends[1].Acquire(time));                            // 1/1 = 1
        var wlc = TestBackends.Create("weighted-least-connections", backends);
        Assert.Equal("a", wlc.Pick(PickContext.None)!.Id);
        foreach (var lease in held) lease.Release(Outcome.Success);
    }
}
