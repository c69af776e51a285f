using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.Core.Protection;
using Fulcrum.TestSupport;

namespace Fulcrum.Core.Tests.Protection;

public sealed class PoolAdmissionTests
{
    private readonly ManualTimeProvider _time = new();

    private PoolAdmission Admission(CircuitBreakerConfig? breaker, AdaptiveConcurrencyConfig? adaptive = null)
    {
        var admission = new PoolAdmission("api", _time, new Random(1));
        admission.Configure(breaker, adaptive);
        return admission;
    }

    [Fact]
    public void MaxRequests_RefusesAtOnce_AndCountsTheReason()
    {
        var admission = Admission(new CircuitBreakerConfig { MaxRequests = 2 });
        Assert.Equal(AdmissionDecision.Admitted, admission.TryAdmit(RequestPriority.Normal, true, out var first));
        Assert.Equal(AdmissionDecision.Admitted, admission.TryAdmit(RequestPriority.High, true, out _));
        Assert.True(admission.IsOpen(AdmissionDecision.MaxRequests));
        Assert.Equal(AdmissionDecision.MaxRequests, admission.TryAdmit(RequestPriority.High, true, out _));
        Assert.Equal((2, 1L), (admission.Requests, admission.Refused(AdmissionDecision.MaxRequests)));

        admission.Complete(first, slot: false, latency: null);
        Assert.False(admission.IsOpen(AdmissionDecision.MaxRequests));
        Assert.Equal(AdmissionDecision.Admitted, admission.TryAdmit(RequestPriority.Low, true, out _));
    }

    [Fact]
    public void AdaptiveLimit_ShedsLowPriorityFirst_ThenNormal_AndKeepsTheLastTenthForHigh()
    {
        var admission = Admission(null, new AdaptiveConcurrencyConfig { FixedMinRtt = TimeSpan.FromMilliseconds(10), MinConcurrency = 10 });
        for (var i = 0; i < 5; i++) Assert.Equal(AdmissionDecision.Admitted, admission.TryAdmit(RequestPriority.Low, true, out _));
        Assert.Equal(AdmissionDecision.LowPriority, admission.TryAdmit(RequestPriority.Low, true, out _));

        for (var i = 0; i < 4; i++) Assert.Equal(AdmissionDecision.Admitted, admission.TryAdmit(RequestPriority.Normal, true, out _));
        Assert.Equal(AdmissionDecision.LowPriority, admission.TryAdmit(RequestPriority.Normal, true, out _));

        Assert.Equal(AdmissionDecision.Admitted, admission.TryAdmit(RequestPriority.High, true, out _));
        Assert.Equal(AdmissionDecision.ConcurrencyLimit, admission.TryAdmit(RequestPriority.High, true, out _));
        Assert.Equal((10, 2L, 1L), (admission.Limited, admission.Refused(AdmissionDecision.LowPriority), admission.Refused(AdmissionDecision.ConcurrencyLimit)));

        // An upgraded connection is not held to the limit.
        Assert.Equal(AdmissionDecision.Admitted, admission.TryAdmit(RequestPriority.Low, limited: false, out var upgrade));
        Assert.False(upgrade.Limited);
        Assert.Equal((11, 10), (admission.Requests, admission.Limited));
    }

    [Fact]
    public async Task Slots_PastMaxConnections_WaitAsPending_UpToMaxPending_AndAFreedSlotGoesToTheFirstWaiter()
    {
        var admission = Admission(new CircuitBreakerConfig { MaxConnections = 2, MaxPending = 1 });
        Assert.Equal(AdmissionDecision.Admitted, await admission.TakeSlotAsync(TimeSpan.FromSeconds(5), default));
        Assert.Equal(AdmissionDecision.Admitted, await admission.TakeSlotAsync(TimeSpan.FromSeconds(5), default));

        var waiting = admission.TakeSlotAsync(TimeSpan.FromSeconds(5), default).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.Equal((1, true), (admission.Pending, admission.IsOpen(AdmissionDecision.MaxPending)));
        Assert.Equal(AdmissionDecision.MaxPending, await admission.TakeSlotAsync(TimeSpan.FromSeconds(5), default));

        admission.ReleaseSlot();
        Assert.Equal(AdmissionDecision.Admitted, await waiting);
        Assert.Equal((2, 0), (admission.Connections, admission.Pending));
        Assert.Equal(1L, admission.Refused(AdmissionDecision.MaxPending));
    }

    [Fact]
    public async Task Pending_GivesUpAfterItsWait_AndAClientThatLeftIsNotCounted()
    {
        var admission = Admission(new CircuitBreakerConfig { MaxConnections = 1, MaxPending = 5 });
        await admission.TakeSlotAsync(TimeSpan.FromSeconds(5), default);

        var timingOut = admission.TakeSlotAsync(TimeSpan.FromSeconds(2), default).AsTask();
        using var leaving = new CancellationTokenSource();
        var abandoned = admission.TakeSlotAsync(TimeSpan.FromSeconds(5), leaving.Token).AsTask();
        Assert.Equal(2, admission.Pending);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(AdmissionDecision.PendingTimeout, await timingOut);
        leaving.Cancel();
        Assert.Equal(AdmissionDecision.Abandoned, await abandoned);
        Assert.Equal((0, 1L), (admission.Pending, admission.Refused(AdmissionDecision.PendingTimeout)));

        // Waiters that gave up take no slot: the one freed goes back to the count.
        admission.ReleaseSlot();
        Assert.Equal(0, admission.Connections);
    }

    [Fact]
    public void MaxRetries_WithholdsRetriesPastIt()
    {
        var admission = Admission(new CircuitBreakerConfig { MaxRetries = 1 });
        Assert.True(admission.TryBeginRetry());
        Assert.False(admission.TryBeginRetry());
        Assert.True(admission.IsOpen(AdmissionDecision.MaxRetries));
        admission.EndRetry();
        Assert.True(admission.TryBeginRetry());
        Assert.Equal(1L, admission.Refused(AdmissionDecision.MaxRetries));
    }

    [Fact]
    public void TcpConnections_PastMaxConnections_AndTheQueuePastMaxPending_AreRefused()
    {
        var admission = Admission(new CircuitBreakerConfig { MaxConnections = 1, MaxPending = 1 });
        Assert.Equal(AdmissionDecision.Admitted, admission.TryOpenConnection());
        Assert.Equal(AdmissionDecision.MaxConnections, admission.TryOpenConnection());
        Assert.True(admission.TryEnterQueue());
        Assert.False(admission.TryEnterQueue());
        admission.LeaveQueue();
        admission.ReleaseSlot();
        Assert.Equal(AdmissionDecision.Admitted, admission.TryOpenConnection());
        Assert.Equal((1L, 1L), (admission.Refused(AdmissionDecision.MaxConnections), admission.Refused(AdmissionDecision.MaxPending)));
    }

    [Fact]
    public void Reload_KeepsTheSameAdmission_AndItsCounts_WhileThePoolHasABreakerOrALimit()
    {
        var pool = new PoolConfig
        {
            Name = "api",
            Backends = [new BackendConfig { Address = "127.0.0.1:9001" }],
            CircuitBreaker = new CircuitBreakerConfig { MaxRequests = 5 },
        };
        var store = new TopologyStore(new FulcrumConfig { Pools = [pool] });
        var admission = store.Current.Pools["api"].Admission!;
        admission.TryAdmit(RequestPriority.Normal, true, out _);

        store.Apply(new FulcrumConfig { Pools = [pool with { CircuitBreaker = new CircuitBreakerConfig { MaxRequests = 1 } }] });
        Assert.Same(admission, store.Current.Pools["api"].Admission);
        Assert.Equal(AdmissionDecision.MaxRequests, admission.TryAdmit(RequestPriority.Normal, true, out _));

        store.Apply(new FulcrumConfig { Pools = [pool with { CircuitBreaker = null }] });
        Assert.Null(store.Current.Pools["api"].Admission);
        store.Apply(new FulcrumConfig { Pools = [pool with { CircuitBreaker = null, AdaptiveConcurrency = new AdaptiveConcurrencyConfig() }] });
        Assert.NotSame(admission, store.Current.Pools["api"].Admission);
    }
}
