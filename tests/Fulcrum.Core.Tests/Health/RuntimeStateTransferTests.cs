using Fulcrum.Core.Configuration;
using Fulcrum.Core.Handover;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests.Health;

/// <summary>
/// What a process that takes over from another restores (docs/ha.md, "Zero-downtime upgrade"): the runtime overlay by
/// the reload rule, operator intents, and the health state machine with the time an ejection had left.
/// </summary>
public sealed class RuntimeStateTransferTests
{
    private static readonly PassiveHealthConfig TwoFailures = new() { ConsecutiveFailures = 2, EjectFor = TimeSpan.FromSeconds(30), MaxEjected = 1 };

    private static PoolConfig Pool() =>
        HealthTestBed.PoolOf(5) with { Health = new HealthConfig { Passive = TwoFailures, Active = new ActiveHealthConfig { Rise = 2, Fall = 2 } } };

    // a: operator weight 7 and active checks down; b: drained; c: removed; d: ejected; e: maintenance; n: added.
    private static HealthTestBed Running()
    {
        var old = new HealthTestBed(Pool());
        Assert.True(old.Operations.SetWeight("p", "a", 7).Ok);
        old["a"].HealthDetail.ReportProbe(false, "failed: timeout");
        old["a"].HealthDetail.ReportProbe(false, "failed: timeout");
        Assert.True(old.Operations.Drain("p", "b").Ok);
        Assert.True(old.Operations.Remove("p", "c").Ok);
        old.Fail(old["d"], 2);
        Assert.True(old.Operations.Maintenance("p", "e").Ok);
        Assert.True(old.Operations.Add("p", new BackendConfig { Name = "n", Address = "127.0.0.1:9100", Weight = 2 }).Ok);
        old.Time.Advance(TimeSpan.FromSeconds(10));
        return old;
    }

    [Fact]
    public void ANewStore_FromTheCapturedState_KeepsTheOverlayTheIntentsAndTheHealth()
    {
        var old = Running();
        var state = old.Store.CaptureRuntimeState();

        var next = new HealthTestBed(Pool(), state);

        Assert.Equal(7, next["a"].Weight);
        Assert.Equal(BackendState.Down, next["a"].State);
        Assert.True(next["a"].HealthDetail.ActiveDown);
        Assert.Contains("failed: timeout", next["a"].HealthDetail.DownReason);
        Assert.Equal(BackendState.Draining, next["b"].State);
        Assert.Null(next.Pool.Find("c"));
        Assert.True(next["d"].HealthDetail.IsEjected);
        Assert.Equal(TimeSpan.FromSeconds(20), next["d"].HealthDetail.EjectionLeft);
        Assert.Equal(1, next["d"].HealthDetail.Ejections);
        Assert.Equal(BackendState.Maintenance, next["e"].State);
        Assert.Equal(("127.0.0.1:9100", 2), (next["n"].Address, next["n"].Weight));
        Assert.Equal(5, next.Store.RestoredBackends);

        // The ejection ends when its time is up here, and two passing probes bring a back, as they would have there.
        next.Time.Advance(TimeSpan.FromSeconds(20));
        Assert.False(next["d"].HealthDetail.IsEjected);
        Assert.Equal(BackendState.Up, next["d"].State);
        next["a"].HealthDetail.ReportProbe(true, "passed: 200");
        Assert.Equal(BackendState.Down, next["a"].State);
        next["a"].HealthDetail.ReportProbe(true, "passed: 200");
        Assert.Equal(BackendState.Up, next["a"].State);
    }

    [Fact]
    public void AChangedConfig_WinsForTheBackendsItChanged_AsAReloadWould()
    {
        var old = Running();
        var state = old.Store.CaptureRuntimeState();
        var changed = Pool() with
        {
            Backends = Pool().Backends
                .SetItem(0, Pool().Backends[0] with { Weight = 4 })                      // a: the file sets a weight
                .SetItem(2, Pool().Backends[2] with { Weight = 9 })                      // c: the file changes the removed one
                .SetItem(3, Pool().Backends[3] with { Address = "127.0.0.1:9300" }),     // d: another server now
        };

        var next = new HealthTestBed(changed, state);

        Assert.Equal(4, next["a"].Weight);
        Assert.Equal(BackendState.Down, next["a"].State); // same server: its health holds
        Assert.Equal(9, next["c"].Weight);
        Assert.False(next["d"].HealthDetail.IsEjected);
        Assert.Equal(BackendState.Up, next["d"].State);
        Assert.Equal(BackendState.Draining, next["b"].State);
    }

    [Fact]
    public void TheCapturedState_NamesEveryPoolAndBackend_WithTimesLeftNotTimestamps()
    {
        var old = Running();
        var state = old.Store.CaptureRuntimeState();

        var pool = Assert.Single(state.Pools);
        Assert.Equal("p", pool.Name);
        Assert.Equal(["a", "b", "d", "e", "n"], pool.Backends.Select(b => b.Id).Order());
        Assert.Equal(20_000, pool.Backends.Single(b => b.Id == "d").EjectedForMs);
        Assert.Equal(20_000, pool.Backends.Single(b => b.Id == "b").DrainLeftMs, precision: 0);
        Assert.Equal(7, Assert.Single(pool.Weights).Weight);
        Assert.Equal("c", Assert.Single(pool.Removed).Name);
        Assert.Equal("n", Assert.Single(pool.Added).Name);
    }
}
