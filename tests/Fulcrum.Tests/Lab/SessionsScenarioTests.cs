using Fulcrum.Lab;

namespace Fulcrum.Tests.Lab;

public sealed class SessionsScenarioTests
{
    [Fact]
    public async Task Sessions_Short_ACrashLogsOutTheStickyUsersOfTheCrashedServer_AndNobodyWithSessionsInRedis()
    {
        using var run = await LabScenarioRun.StartAsync("sessions", charts: 2);
        var s = await run.SummaryAsync();

        // redis-server is in scripts/install-deps.sh; the scenario runs its Redis half only when it is installed.
        Assert.Contains(SessionsScenario.Redis, s.Runs);
        foreach (var mode in new[] { SessionsScenario.Sticky, SessionsScenario.Redis }) Assert.Equal(0, s[mode, "logged_out_before"]);
        var users = s[SessionsScenario.Sticky, "users"];
        Assert.Equal(s[SessionsScenario.Sticky, "on_crashed"], s[SessionsScenario.Sticky, "lost"]);
        Assert.InRange(s[SessionsScenario.Sticky, "lost"], 1, users - 1); // round robin spread the logins: about a third
        Assert.Equal(0, s[SessionsScenario.Redis, "lost"]);
    }
}
