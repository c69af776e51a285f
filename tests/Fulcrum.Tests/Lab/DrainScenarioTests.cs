using Fulcrum.Lab;

namespace Fulcrum.Tests.Lab;

public sealed class DrainScenarioTests
{
    [Fact]
    public async Task Drain_Short_KillingABackendFailsTheRequestsInIt_AndDrainingFirstFailsNone()
    {
        using var run = await LabScenarioRun.StartAsync("drain", charts: 2);
        var s = await run.SummaryAsync();

        // About ten 500 ms requests are in each backend at any time: killing cuts some of them.
        Assert.True(s[DrainScenario.Kill, "failed"] >= 1, s.Text);
        Assert.True(s[DrainScenario.Kill, "in_flight_at_stop"] >= 1, s.Text);
        Assert.Equal(0, s[DrainScenario.Drain, "failed"]);
        Assert.Equal(0, s[DrainScenario.Drain, "in_flight_at_stop"]);
        // The new version served again both ways.
        Assert.False(double.IsNaN(s[DrainScenario.Kill, "back_ms"]), s.Text);
        Assert.False(double.IsNaN(s[DrainScenario.Drain, "back_ms"]), s.Text);
    }
}
