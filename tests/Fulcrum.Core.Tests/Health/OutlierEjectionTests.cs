using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests.Health;

public sealed class OutlierEjectionTests
{
    private static HealthTestBed Bed(PassiveHealthConfig passive, int backends = 4, ActiveHealthConfig? active = null) =>
        new(HealthTestBed.PoolOf(backends) with { Health = new HealthConfig { Passive = passive, Active = active } });

    private static readonly PassiveHealthConfig Five = new() { ConsecutiveFailures = 5, EjectFor = TimeSpan.FromSeconds(30), MaxEjectFor = TimeSpan.FromMinutes(5) };

    [Fact]
    public void ConsecutiveFailures_EjectForEjectFor_ThenTheBackendReturns()
    {
        var bed = Bed(Five);
        var a = bed["a"];
        bed.Fail(a, 4);
        Assert.True(a.IsUsable);
        bed.Fail(a, 1);
        Assert.True(a.HealthDetail.IsEjected);
        Assert.False(a.IsUsable);
        Assert.Equal(TimeSpan.FromSeconds(30), a.HealthDetail.EjectionLeft);
        Assert.True(bed.Logs.Has("backend a in pool p ejected"));

        bed.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.True(a.HealthDetail.IsEjected);
        bed.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(a.HealthDetail.IsEjected);
        Assert.True(a.IsUsable);
    }

    [Fact]
    public void ASuccessInBetween_ResetsTheConsecutiveCount()
    {
        var bed = Bed(Five);
        var a = bed["a"];
        bed.Fail(a, 4);
        bed.Fail(a, 1, Outcome.Success);
        bed.Fail(a, 4);
        Assert.True(a.IsUsable);
    }

    [Theory]
    [InlineData(Outcome.ConnectFailure)]
    [InlineData(Outcome.Reset)]
    [InlineData(Outcome.Timeout)]
    [InlineData(Outcome.ServerError)]
    public void EveryBackendFailureKind_Counts(Outcome outcome)
    {
        var bed = Bed(Five);
        bed.Fail(bed["a"], 5, outcome);
        Assert.True(bed["a"].HealthDetail.IsEjected);
    }

    [Fact]
    public void ClientAborts_NeverCountAgainstTheBackend()
    {
        var bed = Bed(Five);
        bed.Fail(bed["a"], 50, Outcome.ClientAbort);
        Assert.True(bed["a"].IsUsable);
    }

    [Fact]
    public void RepeatedEjections_DoubleEachTime_UpToMaxEjectFor()
    {
        var bed = Bed(Five with { MaxEjectFor = TimeSpan.FromSeconds(100) });
        var a = bed["a"];
        var seen = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            bed.Fail(a, 5);
            seen.Add(a.HealthDetail.EjectionLeft);
            bed.Time.Advance(seen[^1]);
            Assert.False(a.HealthDetail.IsEjected);
        }

        Assert.Equal([TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(100)], seen);
    }

    [Fact]
    public void ABackendThatStaysInForMaxEjectFor_StartsFromEjectForAgain()
    {
        var bed = Bed(Five with { MaxEjectFor = TimeSpan.FromSeconds(100) });
        var a = bed["a"];
        bed.Fail(a, 5);
        bed.Time.Advance(TimeSpan.FromSeconds(30));
        bed.Time.Advance(TimeSpan.FromSeconds(100));
        bed.Fail(a, 5);
        Assert.Equal(TimeSpan.FromSeconds(30), a.HealthDetail.EjectionLeft);
    }

    [Fact]
    public void MaxEjected_CapsTheShareOfThePoolPassiveChecksTakeOut()
    {
        var bed = Bed(Five with { MaxEjected = 0.5 });
        foreach (var id in new[] { "a", "b", "c", "d" }) bed.Fail(bed[id], 5);
        Assert.Equal(2, bed.Pool.Backends.Count(b => b.HealthDetail.IsEjected));
        Assert.True(bed.Logs.Has("max-ejected reached"));
    }

    [Fact]
    public void APassingActiveCheck_EndsAnEjectionEarly()
    {
        var bed = Bed(Five, active: new ActiveHealthConfig());
        var a = bed["a"];
        bed.Fail(a, 5);
        Assert.False(a.IsUsable);
        a.HealthDetail.ReportProbe(true, "passed: 200");
        Assert.True(a.IsUsable);
        Assert.Equal(0, bed.Time.TimerCount);
    }

    [Fact]
    public void FailureRate_EjectsWhenTheWindowsShareOfFailuresIsReached()
    {
        var bed = Bed(new PassiveHealthConfig { ConsecutiveFailures = 0, FailureRate = 0.5, FailureRateMinRequests = 10 });
        var a = bed["a"];
        for (var i = 0; i < 4; i++)
        {
            bed.Fail(a, 1, Outcome.Success);
            bed.Fail(a, 1);
        }

        Assert.True(a.IsUsable); // 8 requests: under the minimum
        bed.Fail(a, 1, Outcome.Success);
        bed.Fail(a, 1);
        Assert.True(a.HealthDetail.IsEjected); // 5 of 10 failed
    }

    [Fact]
    public void FailureRate_ForgetsOldWindows()
    {
        var bed = Bed(new PassiveHealthConfig { ConsecutiveFailures = 0, FailureRate = 0.5, FailureRateMinRequests = 10, FailureRateWindow = TimeSpan.FromSeconds(10) });
        var a = bed["a"];
        bed.Fail(a, 4);
        bed.Time.Advance(TimeSpan.FromSeconds(11));
        bed.Fail(a, 9, Outcome.Success);
        bed.Fail(a, 1);
        Assert.True(a.IsUsable);
    }

    [Fact]
    public void PassiveChecks_Off_WhenConsecutiveFailuresIsZeroAndNoRate()
    {
        var bed = Bed(new PassiveHealthConfig { ConsecutiveFailures = 0 });
        bed.Fail(bed["a"], 100);
        Assert.True(bed["a"].IsUsable);
    }
}
