using Fulcrum.Core.Balancing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests;

public sealed class PowerOfTwoTests
{
    [Fact]
    public void PowerOfTwo_BusyBackend_NeverWinsAgainstIdleOnes()
    {
        var time = new ManualTimeProvider();
        var backends = TestBackends.Equal(4);
        var held = new List<Lease>();
        for (var i = 0; i < 10; i++) held.Add(backends[0].Acquire(time));
        var p2c = TestBackends.Create("power-of-two", backends);

        // The two draws are distinct, so the busy a always meets an idle rival and loses.
        var counts = TestBackends.Count(p2c, 3000);
        Assert.False(counts.ContainsKey("a"));
        foreach (var id in new[] { "b", "c", "d" }) Assert.InRange(counts[id], 800, 1200);
        foreach (var lease in held) lease.Release(Outcome.Success);
    }

    [Fact]
    public void PowerOfTwo_TwoBackends_AlwaysPicksTheLessActive()
    {
        var time = new ManualTimeProvider();
        var backends = TestBackends.Equal(2);
        var p2c = TestBackends.Create("power-of-two", backends);
        var held = new List<Lease>();
        for (var i = 0; i < 100; i++) held.Add(p2c.Pick(PickContext.None)!.Acquire(time));

        // Holding every lease, the two never differ by more than one.
        Assert.Equal(50, backends[0].Stats.Active);
        Assert.Equal(50, backends[1].Stats.Active);
        foreach (var lease in held) lease.Release(Outcome.Success);
    }

    [Fact]
    public void PowerOfTwo_OnlyOneUsable_PicksIt()
    {
        var backends = TestBackends.Equal(5);
        for (var i = 1; i < 5; i++) backends[i].Intent = OperatorIntent.Maintenance;
        var counts = TestBackends.Count(TestBackends.Create("power-of-two", backends), 50);
        Assert.Equal(50, counts["a"]);
    }
}
