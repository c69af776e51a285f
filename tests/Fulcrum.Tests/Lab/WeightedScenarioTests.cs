using Fulcrum.Core.Balancing;
using Fulcrum.Lab;

namespace Fulcrum.Tests.Lab;

public sealed class WeightedScenarioTests
{
    [Fact]
    public async Task Weighted_Short_SharesFollowTheCapacity_AndServeMoreThanRoundRobin()
    {
        using var run = await LabScenarioRun.StartAsync("weighted", charts: 5);
        var summary = await run.SummaryAsync();

        Assert.Contains(WeightedScenario.SeedFile, run.Html, StringComparison.Ordinal);
        foreach (var algorithm in WeightedScenario.Algorithms) Assert.True(summary[algorithm, "errors"] == 0, summary.Text);
        var wrr = BalancerNames.WeightedRoundRobin;
        foreach (var (name, _) in WeightedScenario.Servers)
        {
            // The smooth interleaving is exact; the capacity share is measured, and a busy machine stretches the timers alike.
            Assert.InRange(summary[wrr, "share_" + name] - summary[wrr, "capacity_share_" + name], -0.03, 0.03);
            Assert.InRange(summary[BalancerNames.RoundRobin, "share_" + name], 0.30, 0.37);
        }

        // Round robin is held to three times the small backend's capacity (100 of 250 requests/s); the weights reach it all.
        Assert.True(summary[wrr, "requests_per_second"] > 1.3 * summary[BalancerNames.RoundRobin, "requests_per_second"], summary.Text);
    }
}
