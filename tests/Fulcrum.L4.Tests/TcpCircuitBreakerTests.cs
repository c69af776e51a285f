using Fulcrum.Core.Configuration;
using Fulcrum.Core.Protection;
using Fulcrum.L4.Tests.Support;

namespace Fulcrum.L4.Tests;

/// <summary>A tcp pool's `circuit-breaker`: max-connections closes the extra connection at once, max-pending bounds the over-limit queue.</summary>
public sealed class TcpCircuitBreakerTests
{
    private static long Count(L4Harness lb, string reason) =>
        lb.Store.Protection.All.Where(c => c.Protection == "breaker" && c.Decision == "rejected" && c.Reason == reason).Sum(c => c.Count);

    [Fact]
    public async Task MaxConnections_ClosesTheExtraConnectionAtOnce_AndLetsOneInWhenAnotherCloses()
    {
        using var backend = TestBackend.Hold();
        var pool = L4Harness.PoolOf("p", backend) with { CircuitBreaker = new CircuitBreakerConfig { MaxConnections = 2 } };
        await using var lb = await L4Harness.StartAsync(L4Harness.Listener(), pool);
        var a = await lb.ConnectAsync();
        using var b = await lb.ConnectAsync();
        await Poll.UntilAsync(() => backend.Open == 2, "two connections relayed");

        using (var c = await lb.ConnectAsync())
        {
            Assert.True(await Poll.Within(c.IsClosedAsync()));
        }

        Assert.Equal(2, backend.Accepted);
        Assert.Equal(1, Count(lb, "max-connections"));
        Assert.True(lb.Pool().Admission!.IsOpen(AdmissionDecision.MaxConnections));

        a.Dispose();
        await Poll.UntilAsync(() => lb.Pool().Admission!.Connections == 1, "the closed connection's slot freed");
        using var d = await lb.ConnectAsync();
        await Poll.UntilAsync(() => backend.Accepted == 3, "a new connection relayed once a slot freed");
    }

    [Fact]
    public async Task MaxPending_BoundsTheQueueOfConnectionsWaitingForABackend()
    {
        using var backend = TestBackend.Hold();
        // Every backend full after one connection: the next waits in the queue, the one after that is over max-pending.
        var pool = L4Harness.PoolOf("p", backend) with
        {
            BackendMaxConnections = 1,
            CircuitBreaker = new CircuitBreakerConfig { MaxPending = 1 },
        };
        await using var lb = await L4Harness.StartAsync(new ManualTimeProvider(), L4Harness.Listener(), pool);
        var admission = lb.Pool().Admission!;
        var first = await lb.ConnectAsync();
        await Poll.UntilAsync(() => backend.Open == 1, "the first connection relayed");
        using var queued = await lb.ConnectAsync();
        await Poll.UntilAsync(() => admission.Pending == 1, "the second connection queued");

        using (var refused = await lb.ConnectAsync())
        {
            Assert.True(await Poll.Within(refused.IsClosedAsync()));
        }

        Assert.Equal(1, Count(lb, "max-pending"));
        first.Dispose();
        await Poll.UntilAsync(() => backend.Accepted == 2 && admission.Pending == 0, "the queued connection relayed once the backend had room");
    }
}
