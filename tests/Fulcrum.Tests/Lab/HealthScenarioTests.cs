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
        // Passive checks find the death sooner, so fewer requests sent after it fail. Compared on those alone: a kill that a
        // busy machine drags out (320 ms once in CI) cuts whatever it finds inside the dying backend, whichever check runs.
        Assert.True(s[HealthScenario.ActiveOnly, "failed_after_kill"] >= s[HealthScenario.NoRetries, "failed_after_kill"], s.Text);
        Assert.True(s[HealthScenario.Retries, "failed"] <= s[HealthScenario.NoRetries, "failed"], s.Text);
        Assert.True(s[HealthScenario.Retries, "failed"] <= 3, s.Text); // at most the requests cut inside the dying backend
    }

    [Fact]
    public void FailedAfterTheKill_LeavesOutTheRequestsCutInsideTheDyingBackend()
    {
        // Killed 2000 ms in, the kill completing at 2300: two requests were inside b1 (cut), one was refused after.
        RequestSample[] requests = [new(1_990, 400, "", 0), new(2_100, 200, "", 0), new(2_350, 1, "", 502), new(2_400, 10, "b2", 200)];
        var run = new HealthRun("no retries", requests, KilledMs: 2_300, DownMs: 2_300, RestartedMs: 4_500, UpMs: 4_800, "ejected");

        Assert.Equal(3, run.Failed);
        Assert.Equal(1, run.FailedAfterTheKill);
    }
}
