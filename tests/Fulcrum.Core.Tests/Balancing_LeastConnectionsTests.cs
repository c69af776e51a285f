using Fulcrum.Core.Balancing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests;

public sealed class LeastConnectionsTests
{
    [Fact]
    public void LeastConnections_BackendHolding10Leases_IsAvoidedForTheNext20Picks()
    {
        var time = new ManualTimeProvider();
        var backends = TestBackends.Equal(3);
        var held = new List<Lease>();
        for (var i = 0; i < 10; i++) held.Add(backends[0].Acquire(time));
        var lc = TestBackends.Create("least-connections", backends);

        for (var i = 0; i < 20; i++)
        {
            var picked = lc.Pick(PickContext.None)!;
            Assert.NotEqual("a", picked.Id);
            held.Add(picked.Acquire(time));
        }

        Assert.Equal(10, backends[1].Stats.Active);
        Assert.Equal(10, backends[2].Stats.Active);
        foreach (var lease in held) lease.Release(Outcome.Success);
    }

    [Fact]
    public void LeastConnections_Ties_RotateInsteadOfAlwaysGoingToTheFirst()
    {
        var counts = TestBackends.Count(TestBackends.Create("least-connections", TestBackends.Equal(3)), 30);
        Assert.Equal(10, counts["a"]);
        Assert.Equal(10, counts["b"]);
        Assert.Equal(10, counts["c"]);
    }

    [Fact]
    public void LeastConnections_SkipsDownBackendEvenWhenIdle()
    {
        var time = new ManualTimeProvider();
        var backends = TestBackends.Equal(2);
        var lease = backends[1].Acquire(time);
        backends[0].Health = HealthStatus.Down;
        var lc = TestBackends.Create("least-connections", backends);
        Assert.Equal("b", lc.Pick(PickContext.None)!.Id);
        lease.Release(Outcome.Success);
    }
}
