using Fulcrum.Lab;

namespace Fulcrum.Tests.Lab;

public sealed class HealthScenarioTests
{
    [Fact]
    public async Task Health_Short_AKilledBackendIsFoundDownAndBackUp_AndRetriesTurnItsFailuresIntoAnswers()
    {
        using var run = await LabScenarioRun.StartAsync("health", charts: 2);
        var s = await run.SummaryAsync();

        foreach (var name in new[] { HealthScenario.ActiveOnly, HealthScenario.NoRetries, HealthScenario.Retries })
        {
            // Two probes 250 ms apart, or five failures in a row; seconds of room for a stalled machine, never "never".
            Assert.InRange(s[name, "detect_ms"], 0, 2_000);
            Assert.InRange(s[name, "return_ms"], 0, 2_500);
            Assert.True(s[name, "served_by_victim_after_return"] > 0, s.Text);
        }

        Assert.StartsWith("active check failed", s.Cell(HealthScenario.ActiveOnly, "down_reason"), StringComparison.Ordinal);
        Assert.True(s[HealthScenario.ActiveOnly, "failed"] >= s[HealthScenario.NoRetries, "failed"], s.Text);
        Assert.True(s[HealthScenario.Retries, "failed"] <= s[HealthScenario.NoRetries, "failed"], s.Text);
        Assert.True(s[HealthScenario.Retries, "failed"] <= 3, s.Text); // at most the requests cut inside the dying backend
    }
}
