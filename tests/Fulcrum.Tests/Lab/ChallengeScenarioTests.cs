using Fulcrum.Lab;

namespace Fulcrum.Tests.Lab;

public sealed class ChallengeScenarioTests
{
    private static string Row(string mode) => mode.Replace(' ', '-');

    [Fact]
    public async Task Challenge_Short_BothBalancersDoubleOneServersCapacity_AndFailOverWhereTheLoneServerCannot()
    {
        using var run = await LabScenarioRun.StartAsync("challenge", charts: 4);
        var s = await run.SummaryAsync();

        var direct = Row(ChallengeScenario.Direct);
        Assert.True(double.IsNaN(s[direct, "failover_ms"]), s.Text); // nothing takes the lone server's place
        Assert.True(s[direct, "error_rate"] > 0.3, s.Text);
        foreach (var mode in new[] { ChallengeScenario.L4, ChallengeScenario.L7 })
        {
            Assert.True(s[Row(mode), "throughput_errors"] == 0, s.Text);
            // Two servers behind the balancer answer the same closed loop in about half the time. The median says so even
            // when one stall of a busy machine (a 900 ms p99 once in the suite) drags the short run's mean rate down.
            Assert.True(1.3 * s[Row(mode), "p50_ms"] < s[direct, "p50_ms"], s.Text);
            Assert.InRange(s[Row(mode), "failover_ms"], 0, 2_000);
            Assert.True(s[Row(mode), "error_rate"] < 0.05, s.Text);
        }
    }
}
