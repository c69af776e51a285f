using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests.Health;

public sealed class HealthStateMachineTests
{
    private static HealthTestBed WithActive(int rise = 2, int fall = 3) => new(HealthTestBed.PoolOf(4) with
    {
        Health = new HealthConfig { Active = new ActiveHealthConfig { Rise = rise, Fall = fall } },
    });

    [Fact]
    public void ActiveChecks_TakeABackendDownAfterFallFailures_AndBackAfterRisePasses()
    {
        var bed = WithActive();
        var a = bed["a"];
        a.HealthDetail.ReportProbe(false, "failed: timeout");
        a.HealthDetail.ReportProbe(false, "failed: timeout");
        Assert.Equal(HealthStatus.Up, a.Health);
        a.HealthDetail.ReportProbe(false, "failed: timeout");
        Assert.Equal(HealthStatus.Down, a.Health);
        Assert.Equal(BackendState.Down, a.State);
        Assert.False(a.IsUsable);
        Assert.Contains("timeout", a.HealthDetail.DownReason);
        Assert.True(bed.Logs.Has("backend a in pool p is down"));

        a.HealthDetail.ReportProbe(true, "passed: 200");
        Assert.Equal(HealthStatus.Down, a.Health);
        a.HealthDetail.ReportProbe(true, "passed: 200");
        Assert.Equal(HealthStatus.Up, a.Health);
        Assert.True(bed.Logs.Has("backend a in pool p is up"));
    }

    [Fact]
    public void ActiveChecks_APassInBetweenResetsTheFailureCount()
    {
        var bed = WithActive(fall: 2);
        var a = bed["a"];
        a.HealthDetail.ReportProbe(false, "failed");
        a.HealthDetail.ReportProbe(true, "passed");
        a.HealthDetail.ReportProbe(false, "failed");
        Assert.Equal(HealthStatus.Up, a.Health);
        a.HealthDetail.ReportProbe(false, "failed");
        Assert.Equal(HealthStatus.Down, a.Health);
    }

    [Fact]
    public void OperatorIntent_SurvivesHealthFlapping()
    {
        var bed = WithActive(rise: 1, fall: 1);
        var a = bed["a"];
        Assert.True(bed.Operations.Maintenance("p", "a").Ok);
        a.HealthDetail.ReportProbe(false, "failed");
        a.HealthDetail.ReportProbe(true, "passed");
        Assert.Equal(BackendState.Maintenance, a.State);
        Assert.False(a.IsUsable);
        Assert.True(bed.Operations.Ready("p", "a").Ok);
        Assert.Equal(BackendState.Up, a.State);
    }

    [Fact]
    public void BackupBackend_ShowsAsBackup_WhileUp()
    {
        var pool = HealthTestBed.PoolOf(2);
        pool = pool with { Backends = [pool.Backends[0], pool.Backends[1] with { Backup = true }] };
        var bed = new HealthTestBed(pool);
        Assert.Equal(BackendState.Backup, bed["b"].State);
        Assert.Equal("a", bed.Pool.Pick(default)!.Id);
    }
}
