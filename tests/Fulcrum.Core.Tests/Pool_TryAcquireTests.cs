using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Health;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.Core.Tests;

public sealed class Pool_TryAcquireTests
{
    private readonly ManualTimeProvider _time = new();

    /// <summary>
    /// A balancer double that hands out backends in a fixed order and runs <see cref="OnPick"/> after choosing,
    /// i.e. between the pick and the lease: where a reload's retire can land in production.
    /// </summary>
    private sealed class ScriptedBalancer(Backend[] order) : IBalancer, IBalancerFactory
    {
        public int Picks { get; private set; }
        public Action<Backend>? OnPick { get; set; }
        public string Name => "scripted";
        public bool UsesHash => false;

        public Backend? Pick(in PickContext context)
        {
            var backend = order[Math.Min(Picks, order.Length - 1)];
            Picks++;
            OnPick?.Invoke(backend);
            return backend;
        }

        public IBalancer Create(Backend[] backends, BalancerServices services) => this;
    }

    private Pool PoolOf(ScriptedBalancer balancer, params Backend[] backends) =>
        new(new PoolConfig { Name = "p" }, backends, new BalancerServices(_time, new Random(1)), balancer);

    [Fact]
    public void BackendRetiredBetweenPickAndLease_GetsNoWork_AndThePoolPicksAgain()
    {
        var a = new Backend("a", "127.0.0.1:9001", 1);
        var b = new Backend("b", "127.0.0.1:9002", 1);
        var balancer = new ScriptedBalancer([a, b]);
        // The first pick chooses a; then a reload retires it (TopologyStore.Retire marks it Draining first).
        balancer.OnPick = picked =>
        {
            if (ReferenceEquals(picked, a)) a.Intent = OperatorIntent.Draining;
        };
        var pool = PoolOf(balancer, a, b);

        Assert.True(pool.TryAcquire(PickContext.None, out var lease));

        Assert.Same(b, lease.Backend);
        Assert.Equal(2, balancer.Picks);
        Assert.Equal(0, a.Stats.Active);
        Assert.Equal(0, a.Stats.Total);      // given back without an outcome: no request, no latency sample
        Assert.Equal(TimeSpan.Zero, a.Stats.EwmaLatency);
        Assert.Equal(1, b.Stats.Active);
        lease.Release(Outcome.Success);
    }

    [Fact]
    public void BackendThatStaysDraining_IsNotLeased_AndThePicksAreBounded()
    {
        var a = new Backend("a", "127.0.0.1:9001", 1);
        var balancer = new ScriptedBalancer([a]) { OnPick = picked => picked.Intent = OperatorIntent.Draining };
        var pool = PoolOf(balancer, a);

        Assert.False(pool.TryAcquire(PickContext.None, out var lease));

        Assert.False(lease.IsValid);
        Assert.Equal(Pool.MaxPicks, balancer.Picks);
        Assert.Equal(0, a.Stats.Active);
        Assert.Equal(0, a.Stats.Total);
        Assert.Equal(0, a.Stats.Failures);
    }

    [Fact]
    public void ActiveBackend_IsLeasedOnTheFirstPick()
    {
        var a = new Backend("a", "127.0.0.1:9001", 1);
        var balancer = new ScriptedBalancer([a]);
        var pool = PoolOf(balancer, a);

        Assert.True(pool.TryAcquire(PickContext.None, out var lease));

        Assert.Same(a, lease.Backend);
        Assert.Equal(1, balancer.Picks);
        lease.Release(Outcome.Success);
        Assert.Equal(1, a.Stats.Total);
    }

    [Fact]
    public void AbandonedLease_EndsADrainThatWasWaitingForIt_WithoutRecordingWork()
    {
        // The other half of the race: the retire read the active count after the lease raised it, so its drain
        // waits for that lease; giving the lease back must end the drain.
        var a = new Backend("a", "127.0.0.1:9001", 1);
        var lease = a.Acquire(_time);
        var removed = false;
        a.Intent = OperatorIntent.Draining;
        var drain = new DrainState(a, "p", TimeSpan.FromSeconds(30), removing: true, _time, NullLogger.Instance, _ => removed = true);
        a.Drain = drain;
        drain.Start();
        Assert.False(drain.IsDrained);

        lease.Abandon();

        Assert.True(drain.IsDrained);
        Assert.True(removed);
        Assert.Equal(0, a.Stats.Total);
    }

    [Fact]
    public void RetryBackendRetiredBeforeItsLease_GetsNoWork_AndAnotherUntriedOneServes()
    {
        var a = new Backend("a", "127.0.0.1:9001", 1);
        var b = new Backend("b", "127.0.0.1:9002", 1);
        var c = new Backend("c", "127.0.0.1:9003", 1);
        var pool = PoolOf(new ScriptedBalancer([c]), a, b, c);
        // a failed; the retry picked b; then a reload retired b before the retry's lease.
        b.Intent = OperatorIntent.Draining;

        var lease = pool.AcquireRetry(b, PickContext.None, [a]);

        Assert.Same(c, lease.Backend);
        Assert.Equal(0, b.Stats.Active);
        Assert.Equal(0, b.Stats.Total);
        lease.Release(Outcome.Success);
    }

    [Fact]
    public void RetryBackendRetired_WithNoOtherLeft_StillServes()
    {
        var a = new Backend("a", "127.0.0.1:9001", 1);
        var b = new Backend("b", "127.0.0.1:9002", 1);
        var pool = PoolOf(new ScriptedBalancer([a]), a, b);
        b.Intent = OperatorIntent.Draining;

        var lease = pool.AcquireRetry(b, PickContext.None, [a]);

        // The client's first answer was already dropped for this retry: the draining backend finishes it.
        Assert.Same(b, lease.Backend);
        lease.Release(Outcome.Success);
    }
}
