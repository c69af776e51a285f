using Fulcrum.Lab;
using Fulcrum.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Fulcrum.Tests.Protection;

/// <summary>
/// Issue 15's overload test on real processes: the `fulcrum` executable in front of Kestrel backends with a real
/// capacity (2 × 10 workers × 200 ms = 100 requests/s, a FIFO queue, abandoned requests still served), offered 300
/// requests/s open loop by clients that give up after 4 s. The short mode of `fulcrum lab overload`, with the balancer
/// in its own process; the full size is the lab scenario (docs/protection.md, "Load shedding").
/// </summary>
public sealed class OverloadTests(ITestOutputHelper output)
{
    private static readonly OverloadScenario.Size Size = OverloadScenario.Small;

    private static async Task<OverloadRun> RunAsync(bool shedding)
    {
        var backends = await OverloadScenario.StartBackendsAsync(Size, CancellationToken.None);
        try
        {
            using var file = new ConfigFile(OverloadScenario.ConfigText(backends, Size, shedding));
            await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
            var url = await fulcrum.WaitForListenerAsync(OverloadScenario.ListenerName);
            var load = new OpenLoopLoad(url, Size.OfferedRate, Size.Duration, Size.Deadline);
            var requests = await load.RunAsync(CancellationToken.None);
            return new OverloadRun(shedding ? OverloadScenario.Shedding : OverloadScenario.NoShedding, requests, Size.WarmUp, Size.Duration, backends.Sum(b => b.Capacity));
        }
        finally
        {
            foreach (var backend in backends) await backend.DisposeAsync();
        }
    }

    [Fact]
    public async Task ThreeTimesCapacity_WithShedding_KeepsGoodputAndP99_WhileWithoutItGoodputCollapses()
    {
        var without = await RunAsync(shedding: false);
        var with = await RunAsync(shedding: true);
        var figures = OverloadReport.Line(without) + " " + OverloadReport.Line(with);
        output.WriteLine(figures);

        // The load really was 3x: both runs offered about 300 requests/s (the generator kept up).
        Assert.True(without.OfferedPerSecond > 2.5 * Size.NominalCapacity && with.OfferedPerSecond > 2.5 * Size.NominalCapacity, figures);

        // Without shedding the queues outgrow the clients' patience: most requests are lost, goodput collapses.
        Assert.True(without.GoodputShare < 0.5, figures);
        Assert.True(without.Lost > without.Offered / 2, figures);

        // With it: goodput at least 80% of what the backends can serve, the admitted requests' p99 under the bound,
        // the excess refused at once (503) rather than lost.
        Assert.True(with.GoodputShare >= OverloadReport.GoodputShareAtLeast, figures);
        Assert.True(with.P99Ms < OverloadReport.P99Bound(Size).TotalMilliseconds, figures);
        Assert.True(with.Shed > with.Offered / 3, figures);
        Assert.True(with.Lost < with.Offered / 20, figures);
    }
}
