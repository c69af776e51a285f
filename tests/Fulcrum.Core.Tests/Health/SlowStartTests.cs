using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests.Health;

public sealed class SlowStartTests
{
    private static HealthTestBed Bed() => new(HealthTestBed.PoolOf(2, weight: 100) with
    {
        SlowStart = TimeSpan.FromSeconds(100),
        Health = new HealthConfig { Active = new ActiveHealthConfig { Rise = 1, Fall = 1 } },
    });

    [Fact]
    public void Backends_AtStartup_GetTheirFullWeight()
    {
        var bed = Bed();
        Assert.Equal(100, bed["a"].EffectiveWeight);
        Assert.False(bed["a"].InSlowStart);
    }

    [Fact]
    public void ABackendComingBackUp_RampsLinearlyFromTenPercentToItsWeight()
    {
        var bed = Bed();
        var a = bed["a"];
        a.HealthDetail.ReportProbe(false, "failed");
        a.HealthDetail.ReportProbe(true, "passed");
        Assert.Equal(10, a.EffectiveWeight);
        bed.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(10, a.EffectiveWeight); // the 10% floor
        bed.Time.Advance(TimeSpan.FromSeconds(45));
        Assert.Equal(50, a.EffectiveWeight);
        bed.Time.Advance(TimeSpan.FromSeconds(25));
        Assert.Equal(75, a.EffectiveWeight);
        bed.Time.Advance(TimeSpan.FromSeconds(25));
        Assert.Equal(100, a.EffectiveWeight);
        Assert.False(a.InSlowStart);
    }

    [Fact]
    public void ABackendAddedAtRuntime_SlowStarts()
    {
        var bed = Bed();
        var result = bed.Operations.Add("p", new BackendConfig { Name = "n", Address = "127.0.0.1:9100", Weight = 100 });
        Assert.True(result.Ok);
        Assert.Equal(10, bed["n"].EffectiveWeight);
        bed.Time.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(50, bed["n"].EffectiveWeight);
    }

    [Fact]
    public void ReadyAfterMaintenance_SlowStarts()
    {
        var bed = Bed();
        bed.Operations.Maintenance("p", "a");
        bed.Time.Advance(TimeSpan.FromSeconds(500));
        bed.Operations.Ready("p", "a");
        Assert.Equal(10, bed["a"].EffectiveWeight);
    }

    [Fact]
    public void WithoutSlowStart_ABackendReturnsAtFullWeight()
    {
        var bed = new HealthTestBed(HealthTestBed.PoolOf(2, weight: 100) with
        {
            Health = new HealthConfig { Active = new ActiveHealthConfig { Rise = 1, Fall = 1 } },
        });
        bed["a"].HealthDetail.ReportProbe(false, "failed");
        bed["a"].HealthDetail.ReportProbe(true, "passed");
        Assert.Equal(100, bed["a"].EffectiveWeight);
    }
}
