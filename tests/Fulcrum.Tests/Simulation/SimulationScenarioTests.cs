using Fulcrum.Commands;
using Fulcrum.Simulation;

namespace Fulcrum.Tests.Simulation;

/// <summary>
/// `fulcrum simulate --scenario`: each question's simulated figures within the tolerance its expectation states
/// (docs/lab.md). Seeded, so exact from run to run; the tolerances cover a finite run against the theory's limit.
/// </summary>
public sealed class SimulationScenarioTests
{
    [Fact]
    public void BallsIntoBins_TwoChoicesCutTheFullestBinToLnLnN_WhereOneChoiceGrowsAsLnNOverLnLnN()
    {
        var rows = BallsIntoBins.Run(seed: 1);
        Assert.All(rows, r => Assert.True(r.Holds, r.ToString()));
        var million = rows.Single(r => r.N == 1_000_000);
        Assert.True(million.TwoChoices * 2 <= million.OneChoice, million.ToString());
    }

    [Fact]
    public void Subsetting_RandomSubsetsImbalanceAsTheBinomialSays_AndDeterministicSubsetsNotAtAll()
    {
        var rows = Subsetting.Run(seed: 1);
        Assert.All(rows, r => Assert.True(r.Holds, r.ToString()));
        // Larger subsets, evener load.
        for (var i = 1; i < rows.Count; i++) Assert.True(rows[i].RandomImbalance < rows[i - 1].RandomImbalance, string.Join('\n', rows));
    }

    [Fact]
    public void RetryStorm_RetriesMultiplyTheWorkAsTheGeometricSumSays_AndABudgetCapsIt()
    {
        var rows = RetryStorm.Run(seed: 1);
        Assert.All(rows, r => Assert.True(r.Holds, r.ToString()));
        Assert.Equal(4.0, rows.Single(r => r.Fail == 1.0).Without, 2);
    }

    [Fact]
    public void Herd_StaleLoadMakesLeastConnectionsHerd_AndLiveLoadMakesItBest()
    {
        Assert.True(Herd.Run(seed: 1).Holds);
    }

    [Fact]
    public void Hedging_AfterTheP95_CutsTheP999ToUnderAQuarter_ForAFewPercentMoreRequests()
    {
        var outcome = Hedging.Run(seed: 1);
        Assert.True(outcome.Holds, string.Join('\n', outcome.Rows.Select(r => $"{r.Delay}: copies {r.Result.HedgeShare:P1}, p99.9 {r.Result.Latency.Percentile(0.999) * 1000:0.0} ms")));
        // The trade-off the paper describes: the earlier the copy, the more copies and the shorter the tail.
        var hedged = outcome.Rows.Skip(1).ToList();
        for (var i = 1; i < hedged.Count; i++)
        {
            Assert.True(hedged[i].Result.HedgeShare < hedged[i - 1].Result.HedgeShare, $"{hedged[i].Delay} sent more copies than {hedged[i - 1].Delay}");
            Assert.True(hedged[i].Result.Latency.Percentile(0.999) > hedged[i - 1].Result.Latency.Percentile(0.999), $"{hedged[i].Delay} has a shorter tail than {hedged[i - 1].Delay}");
        }

        // Every delay tried helps the tail.
        Assert.All(hedged, r => Assert.True(r.Result.Latency.Percentile(0.999) < outcome.Unhedged.Result.Latency.Percentile(0.999), r.Delay));
    }

    [Theory]
    [InlineData("herd")]
    [InlineData("retry-storm")]
    [InlineData("hedging")]
    [InlineData("subsetting")]
    [InlineData("balls-into-bins")]
    public async Task SimulateScenarioWithOut_WritesAReportPageWithChartsAndTheVerdict_AndTheTableAsCsv(string name)
    {
        var dir = Directory.CreateTempSubdirectory("fulcrum-scenario-").FullName;
        try
        {
            var stdout = new StringWriter();
            Assert.Equal(ExitCodes.Success, SimulateCommand.RunScenario(name, 1, dir, stdout, new StringWriter()));

            Assert.Contains("report: ", stdout.ToString(), StringComparison.Ordinal);
            var html = File.ReadAllText(Path.Combine(dir, "index.html"));
            Assert.Contains("The simulation agrees with the expectation", html, StringComparison.Ordinal);
            Assert.Contains("<svg ", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            var csv = File.ReadAllLines(Path.Combine(dir, "summary.csv"));
            Assert.True(csv.Length >= 3, string.Join('\n', csv));
            var columns = csv[0].Split(',').Length;
            Assert.All(csv, line => Assert.Equal(columns, line.Split(',').Length));
            Assert.Empty(await ReportPage.ProblemsAsync(Path.Combine(dir, "index.html"), "the expectation", 1, $"simulate-{name}.png"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SimulateScenario_UnknownName_IsBadUsage_AndListsTheKnownOnes()
    {
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.BadUsage, SimulateCommand.RunScenario("thundering", 1, null, new StringWriter(), stderr));
        Assert.Contains("hedging", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SimulateScenario_PrintsTheExpectationAndTheVerdict()
    {
        using var output = new StringWriter();
        Assert.True(SimulationScenarios.Run("balls-into-bins", 1, output));
        Assert.Contains("Expectation", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("agrees with the expectation", output.ToString(), StringComparison.Ordinal);
    }
}
