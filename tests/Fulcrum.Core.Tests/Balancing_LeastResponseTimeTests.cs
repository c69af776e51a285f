using Fulcrum.Core.Balancing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests;

public sealed class LeastResponseTimeTests
{
    private static void Sample(Backend backend, ManualTimeProvider time, TimeSpan latency)
    {
        var lease = backend.Acquire(time);
        time.Advance(latency);
        lease.Release(Outcome.Success);
    }

    [Fact]
    public void LeastResponseTime_PrefersTheFastBackend_UntilItsQueueMakesItSlower()
    {
        var time = new ManualTimeProvider();
        var backends = TestBackends.Equal(2);
        Sample(backends[0], time, TimeSpan.FromMilliseconds(10));
        Sample(backends[1], time, TimeSpan.FromMilliseconds(100));
        var lrt = TestBackends.Create("least-response-time", backends, new BalancerServices(time, new Random(1)));

        // a scores 10 ms x (active + 1) and stays below b's 100 ms for 9 picks; at 10 they tie and the
        // less busy b wins.
        var held = new List<Lease>();
        var sequence = "";
        for (var i = 0; i < 10; i++)
        {
            var picked = lrt.Pick(PickContext.None)!;
            sequence += picked.Id;
            held.Add(picked.Acquire(time));
        }

        Assert.Equal("aaaaaaaaab", sequence);
        foreach (var lease in held) lease.Release(Outcome.Success);
    }

    [Fact]
    public void LeastResponseTime_BackendWithoutSample_IsTriedFirst()
    {
        var time = new ManualTimeProvider();
        var backends = TestBackends.Equal(2);
        Sample(backends[0], time, TimeSpan.FromMilliseconds(1));
        var lrt = TestBackends.Create("least-response-time", backends, new BalancerServices(time, new Random(1)));
        Assert.Equal("b", lrt.Pick(PickContext.None)!.Id);
    }

    [Fact]
    public void LeastResponseTime_AllUnmeasured_SharesWorkByRotation()
    {
        var counts = TestBackends.Count(TestBackends.Create("least-response-time", TestBackends.Equal(3)), 30);
        Assert.Equal([10, 10, 10], new[] { counts["a"], counts["b"], counts["c"] });
    }
}
