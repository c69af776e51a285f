using Fulcrum.Lab;
using Fulcrum.Tests.Lab;
using Xunit.Abstractions;

namespace Fulcrum.Tests.Protection;

/// <summary>
/// Issue 15's overload test: `fulcrum lab overload` in its short mode, Fulcrum in front of Kestrel backends with a real
/// capacity (2 × 10 workers × 200 ms = 100 requests/s, a FIFO queue, abandoned requests still served), offered 300
/// requests/s open loop by clients that give up after 4 s. One run checks the claim from its summary.csv and its report
/// in the browser; the full size is the lab scenario (docs/protection.md, "Load shedding"). Adaptive concurrency
/// through a `fulcrum run` process is LoadSheddingTests' part.
/// </summary>
public sealed class OverloadTests(ITestOutputHelper output)
{
    private static readonly OverloadScenario.Size Size = OverloadScenario.Small;

    [Fact]
    public async Task ThreeTimesCapacity_WithShedding_KeepsGoodputAndP99_WhileWithoutItGoodputCollapses()
    {
        using var run = await LabScenarioRun.StartAsync("overload", charts: 2);
        var summary = await run.SummaryAsync();
        var figures = summary.Text;
        output.WriteLine(figures);
        double Without(string column) => summary[OverloadScenario.NoShedding, column];
        double With(string column) => summary[OverloadScenario.Shedding, column];

        // The load really was 3x: both runs offered about 300 requests/s (the generator kept up).
        Assert.True(Without("offered_per_second") > 2.5 * Size.NominalCapacity && With("offered_per_second") > 2.5 * Size.NominalCapacity, figures);

        // Without shedding the queues outgrow the clients' patience: most requests are lost, goodput collapses.
        Assert.True(Without("goodput_share") < 0.5, figures);
        Assert.True(Without("lost") > Without("offered") / 2, figures);

        // With it: goodput at least 80% of what the backends can serve, the admitted requests' p99 under the bound,
        // the excess refused at once (503) rather than lost.
        Assert.True(With("goodput_share") >= OverloadReport.GoodputShareAtLeast, figures);
        Assert.True(With("p99_ms") < OverloadReport.P99Bound(Size).TotalMilliseconds, figures);
        Assert.True(With("shed") > With("offered") / 3, figures);
        Assert.True(With("lost") < With("offered") / 20, figures);
    }
}
