using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests.Health;

public sealed class PanicModeTests
{
    private static HealthTestBed Bed(double threshold = 0.5) => new(HealthTestBed.PoolOf(4) with
    {
        Health = new HealthConfig { PanicThreshold = threshold, Active = new ActiveHealthConfig { Rise = 1, Fall = 1 } },
    });

    [Fact]
    public void Panic_EngagesBelowTheThreshold_SpreadsOverAll_AndReleasesAtIt()
    {
        var bed = Bed();
        bed["a"].HealthDetail.ReportProbe(false, "failed");
        bed["b"].HealthDetail.ReportProbe(false, "failed");
        Assert.False(bed.Pool.InPanic); // 2 of 4 up: not fewer than 50%
        Assert.Equal(["c", "d"], bed.Picks(100).Keys.Order());

        bed["c"].HealthDetail.ReportProbe(false, "failed");
        Assert.True(bed.Pool.InPanic); // 1 of 4
        Assert.True(bed.Logs.Has("pool p in panic"));
        var spread = bed.Picks(400);
        Assert.Equal(["a", "b", "c", "d"], spread.Keys.Order());
        Assert.All(spread.Values, n => Assert.Equal(100, n));

        bed["c"].HealthDetail.ReportProbe(true, "passed");
        Assert.False(bed.Pool.InPanic);
        Assert.True(bed.Logs.Has("pool p out of panic"));
        Assert.Equal(["c", "d"], bed.Picks(100).Keys.Order());
    }

    [Fact]
    public void Panic_NeverSendsWorkToBackendsTheOperatorTookOut()
    {
        var bed = Bed();
        bed.Operations.Maintenance("p", "d");
        foreach (var id in new[] { "a", "b", "c" }) bed[id].HealthDetail.ReportProbe(false, "failed");
        Assert.True(bed.Pool.InPanic);
        Assert.DoesNotContain("d", bed.Picks(100).Keys);
    }

    [Fact]
    public void Panic_ThresholdZero_TurnsItOff()
    {
        var bed = Bed(threshold: 0);
        foreach (var id in new[] { "a", "b", "c", "d" }) bed[id].HealthDetail.ReportProbe(false, "failed");
        Assert.False(bed.Pool.InPanic);
        Assert.Null(bed.Pool.Pick(default));
    }

    [Fact]
    public void Panic_DoesNotEngageWhileABackupIsUp()
    {
        var pool = HealthTestBed.PoolOf(3) with { Health = new HealthConfig { Active = new ActiveHealthConfig { Rise = 1, Fall = 1 } } };
        pool = pool with { Backends = [pool.Backends[0], pool.Backends[1], pool.Backends[2] with { Backup = true }] };
        var bed = new HealthTestBed(pool);
        bed["a"].HealthDetail.ReportProbe(false, "failed");
        bed["b"].HealthDetail.ReportProbe(false, "failed");
        Assert.False(bed.Pool.InPanic);
        Assert.Equal("c", bed.Pool.Pick(default)!.Id);
    }
}
