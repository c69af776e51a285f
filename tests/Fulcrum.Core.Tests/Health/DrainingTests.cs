using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests.Health;

public sealed class DrainingTests
{
    private static HealthTestBed Bed() => new(HealthTestBed.PoolOf(3) with { DrainTimeout = TimeSpan.FromSeconds(30) });

    [Fact]
    public void Drain_LetsInFlightWorkFinish_SendsNoNewWork_AndLogsWhenEmpty()
    {
        var bed = Bed();
        var a = bed["a"];
        var leases = Enumerable.Range(0, 10).Select(_ => a.Acquire(bed.Time)).ToList();
        Assert.True(bed.Operations.Drain("p", "a").Ok);
        Assert.Equal(BackendState.Draining, a.State);
        Assert.DoesNotContain("a", bed.Picks(60).Keys);
        Assert.Equal(TimeSpan.FromSeconds(30), a.Drain!.TimeLeft);

        bed.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(20), a.Drain.TimeLeft);
        foreach (var lease in leases.Skip(1)) lease.Release(Outcome.Success);
        Assert.False(a.Drain.IsDrained);
        Assert.False(bed.Logs.Has("drained"));
        leases[0].Release(Outcome.Success);
        Assert.True(a.Drain.IsDrained);
        Assert.True(bed.Logs.Has("backend a in pool p drained"));
        Assert.Equal(0, a.Stats.Active);
        Assert.Same(a, bed["a"]); // parked, not removed
    }

    [Fact]
    public void Drain_AfterDrainTimeout_StickyClientsNoLongerReachIt()
    {
        var bed = Bed();
        var a = bed["a"];
        var lease = a.Acquire(bed.Time);
        bed.Operations.Drain("p", "a");
        Assert.True(a.AcceptsSticky);
        bed.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(a.Drain!.TimedOut);
        Assert.False(a.AcceptsSticky);
        Assert.Equal(TimeSpan.Zero, a.Drain.TimeLeft);
        Assert.True(bed.Logs.Has("drain timed out with 1 in flight"));
        lease.Release(Outcome.Success);
    }

    [Fact]
    public void Drain_SurvivesHealthFlapping_AndReadyEndsIt()
    {
        var bed = Bed();
        var a = bed["a"];
        bed.Operations.Drain("p", "a");
        a.Health = HealthStatus.Down;
        a.Health = HealthStatus.Up;
        Assert.Equal(BackendState.Draining, a.State);
        bed.Operations.Ready("p", "a");
        Assert.Equal(BackendState.Up, a.State);
        Assert.Null(a.Drain);
        Assert.Equal(0, bed.Time.TimerCount);
    }

    [Fact]
    public void Remove_DrainsABusyBackend_ThenItLeaves()
    {
        var bed = Bed();
        var a = bed["a"];
        var lease = a.Acquire(bed.Time);
        Assert.True(bed.Operations.Remove("p", "a").Ok);
        Assert.Null(bed.Pool.Find("a"));
        Assert.Equal([a], bed.Store.Retiring("p"));
        Assert.Equal(BackendState.Draining, a.State);
        lease.Release(Outcome.Success);
        Assert.Empty(bed.Store.Retiring("p"));
        Assert.True(bed.Logs.Has("backend a in pool p drained"));
        Assert.True(bed.Logs.Has("backend a in pool p removed"));
    }

    [Fact]
    public void ReloadThatDropsABusyBackend_DrainsItUntilDrainTimeout()
    {
        var bed = Bed();
        var a = bed["a"];
        var lease = a.Acquire(bed.Time);
        var pool = bed.Pool.Config;
        bed.Store.Apply(HealthTestBed.Config(pool with { Backends = pool.Backends.RemoveAt(0) }));
        Assert.Null(bed.Pool.Find("a"));
        Assert.Equal([a], bed.Store.Retiring("p"));
        bed.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(bed.Store.Retiring("p"));
        Assert.True(bed.Logs.Has("drain timed out"));
        lease.Release(Outcome.Success);
    }

    [Fact]
    public void ReloadThatDropsAnIdleBackend_RemovesItAtOnce()
    {
        var bed = Bed();
        var pool = bed.Pool.Config;
        bed.Store.Apply(HealthTestBed.Config(pool with { Backends = pool.Backends.RemoveAt(0) }));
        Assert.Empty(bed.Store.Retiring("p"));
        Assert.True(bed.Logs.Has("backend a in pool p removed"));
    }

    [Fact]
    public void ReloadThatDropsAnIdleBackend_TakesItOutOfThePreviousGeneration_Too()
    {
        var bed = Bed();
        var a = bed["a"];
        var previous = bed.Store.Current.Pools["p"];
        var pool = previous.Config;
        bed.Store.Apply(HealthTestBed.Config(pool with { Backends = pool.Backends.RemoveAt(0) }));

        // A request that read the previous generation's routes must not send new work to a removed backend.
        Assert.False(a.IsUsable);
        for (var i = 0; i < 9; i++) Assert.NotSame(a, previous.Pick(default));
    }
}
