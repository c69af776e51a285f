using Fulcrum.Core.Balancing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests;

public sealed class PeakEwmaTests
{
    private static void Sample(Backend backend, ManualTimeProvider time, TimeSpan latency)
    {
        var lease = backend.Acquire(time);
        time.Advance(latency);
        lease.Release(Outcome.Success);
    }

    [Fact]
    public void PeakEwma_TwoBackends_PrefersTheFastOne_UntilItsQueueMakesItSlower()
    {
        var time = new ManualTimeProvider();
        var backends = TestBackends.Equal(2);
        Sample(backends[0], time, TimeSpan.FromMilliseconds(10));
        Sample(backends[1], time, TimeSpan.FromMilliseconds(100));
        var balancer = TestBackends.Create("peak-ewma", backends, new BalancerServices(time, new Random(1)));

        // With two backends both are always drawn: a (about 10 ms x (active + 1)) wins while below b's ~100 ms.
        var held = new List<Lease>();
        var sequence = "";
        for (var i = 0; i < 9; i++)
        {
            var picked = balancer.Pick(PickContext.None)!;
            sequence += picked.Id;
            held.Add(picked.Acquire(time));
        }

        Assert.Equal("aaaaaaaaa", sequence);
        foreach (var lease in held) lease.Release(Outcome.Success);
    }

    [Fact]
    public void PeakEwma_OneSlowAnswer_TurnsTrafficAwayAtOnce_AndIsForgottenWithTime()
    {
        var time = new ManualTimeProvider();
        var backends = TestBackends.Equal(2);
        for (var i = 0; i < 20; i++)
        {
            Sample(backends[0], time, TimeSpan.FromMilliseconds(5));
            Sample(backends[1], time, TimeSpan.FromMilliseconds(10));
        }

        // a answers one request slowly: its peak estimate is that answer at once.
        Sample(backends[0], time, TimeSpan.FromMilliseconds(500));
        Assert.Equal(0.5, backends[0].Stats.PeakEwmaSecondsAt(time.GetTimestamp(), time), 3);
        var peak = TestBackends.Create("peak-ewma", backends, new BalancerServices(time, new Random(1)));
        Assert.Equal("b", peak.Pick(PickContext.None)!.Id);

        // The peak decays with time: after 60 s of quiet (6 decay times) a is cheaper than b again.
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.True(backends[0].Stats.PeakEwmaSecondsAt(time.GetTimestamp(), time) < 0.002);
    }

    [Fact]
    public void PeakEwma_AnUnmeasuredBackend_IsTried_ButNotFloodedWhileItsFirstAnswersAreOut()
    {
        var time = new ManualTimeProvider();
        var backends = TestBackends.Equal(2);
        Sample(backends[0], time, TimeSpan.FromMilliseconds(50));
        var balancer = TestBackends.Create("peak-ewma", backends, new BalancerServices(time, new Random(1)));

        // b has no sample: it scores 0 and wins the first pick.
        var first = balancer.Pick(PickContext.None)!;
        Assert.Equal("b", first.Id);
        var held = new List<Lease> { first.Acquire(time) };

        // With one request in flight on b and nothing known, b counts as 1 s of work; a (50 ms) wins the next ones.
        for (var i = 0; i < 5; i++)
        {
            var picked = balancer.Pick(PickContext.None)!;
            Assert.Equal("a", picked.Id);
            held.Add(picked.Acquire(time));
        }

        foreach (var lease in held) lease.Release(Outcome.Success);
    }

    [Fact]
    public void PeakEwma_OnlyOneUsable_PicksIt()
    {
        var backends = TestBackends.Equal(3);
        backends[0].Intent = OperatorIntent.Maintenance;
        backends[1].Intent = OperatorIntent.Maintenance;
        var balancer = TestBackends.Create("peak-ewma", backends);
        for (var i = 0; i < 20; i++) Assert.Equal("c", balancer.Pick(PickContext.None)!.Id);
    }
}
