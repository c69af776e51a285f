using Fulcrum.Core.Balancing;
using Fulcrum.Lab;

namespace Fulcrum.Tests.Lab;

public sealed class FeedbackScenarioTests
{
    [Fact]
    public async Task Feedback_Short_WeightedByLoadFollowsTheBackendsLoadReports_WhenOneSlowsDown()
    {
        using var run = await LabScenarioRun.StartAsync("feedback", charts: 4);
        var s = await run.SummaryAsync();

        foreach (var algorithm in FeedbackScenario.Algorithms) Assert.True(s[algorithm, "errors"] == 0, s.Text);
        // Before the change the three are equal; after, round robin still gives b1 a third.
        Assert.InRange(s[BalancerNames.WeightedByLoad, "share_b1_before"], 0.2, 0.45);
        Assert.InRange(s[BalancerNames.RoundRobin, "share_b1_after"], 0.3, 0.37);
        // The reports make b1's weight about a fifth of the others' (1/11 of the requests); room for a busy machine's noise.
        Assert.True(s[BalancerNames.WeightedByLoad, "share_b1_after"] < 0.22, s.Text);
        Assert.True(s[BalancerNames.WeightedByLoad, "requests_per_second_after"] > 1.3 * s[BalancerNames.RoundRobin, "requests_per_second_after"], s.Text);
        Assert.True(s[BalancerNames.LeastConnections, "share_b1_after"] < 0.25, s.Text);
    }
}
