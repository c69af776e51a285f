using Fulcrum.Core.Balancing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests;

public sealed class LeastBandwidthTests
{
    [Fact]
    public void LeastBandwidth_PrefersTheBackendWithLessRecentTraffic()
    {
        var time = new ManualTimeProvider();
        var backends = TestBackends.Equal(2);
        var lb = TestBackends.Create("least-bandwidth", backends, new BalancerServices(time, new Random(1)));

        // a moved 10 MB twenty seconds ago (decayed by e^-10), b moved 1 MB just now.
        backends[0].Acquire(time).Release(Outcome.Success, bytesSent: 0, bytesReceived: 10_000_000);
        time.Advance(TimeSpan.FromSeconds(20));
        backends[1].Acquire(time).Release(Outcome.Success, bytesSent: 0, bytesReceived: 1_000_000);
        for (var i = 0; i < 5; i++) Assert.Equal("a", lb.Pick(PickContext.None)!.Id);

        // Now a is the busy one.
        backends[0].Stats.AddBytes(5_000_000, 0, time);
        Assert.Equal("b", lb.Pick(PickContext.None)!.Id);
    }

    [Fact]
    public void LeastBandwidth_EqualTraffic_GoesToTheLessActive()
    {
        var time = new ManualTimeProvider();
        var backends = TestBackends.Equal(2);
        var lease = backends[0].Acquire(time);
        var lb = TestBackends.Create("least-bandwidth", backends, new BalancerServices(time, new Random(1)));
        for (var i = 0; i < 4; i++) Assert.Equal("b", lb.Pick(PickContext.None)!.Id);
        lease.Release(Outcome.Success);
    }

    [Fact]
    public void LeastBandwidth_AllIdle_SharesWorkByRotation()
    {
        var counts = TestBackends.Count(TestBackends.Create("least-bandwidth", TestBackends.Equal(3)), 30);
        Assert.Equal([10, 10, 10], new[] { counts["a"], counts["b"], counts["c"] });
    }
}
