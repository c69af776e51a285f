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
}
