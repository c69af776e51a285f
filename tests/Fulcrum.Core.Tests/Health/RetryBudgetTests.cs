using Fulcrum.Core.Configuration;
using Fulcrum.Core.Health;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests.Health;

public sealed class RetryBudgetTests
{
    private static readonly RetryConfig All = new() { Attempts = 3, On = [RetryOn.ConnectFailure, RetryOn.Status502, RetryOn.Status503] };

    [Theory]
    [InlineData(Outcome.ConnectFailure, 502, false, 1, true)]   // connect failures: any method
    [InlineData(Outcome.ConnectFailure, 502, false, 3, false)]  // attempts used up
    [InlineData(Outcome.ServerError, 503, true, 1, true)]
    [InlineData(Outcome.ServerError, 503, false, 1, false)]     // POST: never on a status
    [InlineData(Outcome.Reset, 502, true, 2, true)]             // a reset is the 502 the client would see
    [InlineData(Outcome.Timeout, 504, true, 1, false)]          // 504 not configured
    public void Allows_FollowsTheConfiguredConditions(Outcome outcome, int status, bool idempotent, int attempt, bool expected) =>
        Assert.Equal(expected, RetryBudget.Allows(All, outcome, status, idempotent, attempt));

    [Fact]
    public void Allows_ByDefault_OnlyOneRetryOfAConnectFailure()
    {
        Assert.True(RetryBudget.Allows(RetryConfig.Default, Outcome.ConnectFailure, 502, false, 1));
        Assert.False(RetryBudget.Allows(RetryConfig.Default, Outcome.ConnectFailure, 502, false, 2));
        Assert.False(RetryBudget.Allows(RetryConfig.Default, Outcome.ServerError, 503, true, 1));
    }

    [Theory]
    [InlineData("GET", true)]
    [InlineData("PUT", true)]
    [InlineData("DELETE", true)]
    [InlineData("POST", false)]
    [InlineData("PATCH", false)]
    public void IsIdempotent_FollowsRfc9110(string method, bool expected) => Assert.Equal(expected, RetryBudget.IsIdempotent(method));

    [Fact]
    public void Budget_AllowsMinRetries_ThenAShareOfTheRequestsInFlight()
    {
        var bed = new HealthTestBed(HealthTestBed.PoolOf(2) with { Retries = new RetryConfig { Budget = 0.2, MinRetries = 3 } });
        var budget = bed.Pool.Retries;
        Assert.True(budget.TryBegin());
        Assert.True(budget.TryBegin());
        Assert.True(budget.TryBegin());
        Assert.False(budget.TryBegin()); // 3 in flight, nothing active: the floor holds
        var leases = Enumerable.Range(0, 20).Select(_ => bed["a"].Acquire(bed.Time)).ToList();
        Assert.True(budget.TryBegin()); // 20% of 20 in flight = 4
        Assert.False(budget.TryBegin());
        budget.End();
        Assert.Equal(3, budget.InFlight);
        foreach (var lease in leases) lease.Release(Outcome.Success);
    }

    [Fact]
    public void PickOther_ReturnsADifferentUsableBackend_OrNull()
    {
        var bed = new HealthTestBed(HealthTestBed.PoolOf(2));
        var first = bed.Pool.Pick(default)!;
        var other = bed.Pool.PickOther(default, [first]);
        Assert.NotNull(other);
        Assert.NotSame(first, other);
        Assert.Null(bed.Pool.PickOther(default, [bed["a"], bed["b"]]));
    }
}
