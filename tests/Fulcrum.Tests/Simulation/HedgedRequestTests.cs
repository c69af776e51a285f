using Fulcrum.Commands;
using Fulcrum.Core.Balancing;
using Fulcrum.Simulation;

namespace Fulcrum.Tests.Simulation;

/// <summary>The simulator's hedged requests: a copy after the delay, the first answer wins, the loser is cancelled.</summary>
public sealed class HedgedRequestTests
{
    [Fact]
    public void AHedgeDelayLongerThanAnyRequest_SendsNoCopy_AndChangesNothing()
    {
        var settings = new SimulationSettings { Backends = 20, Requests = 50_000, Load = 0.7, Service = ServiceShape.HeavyTail };
        var plain = Simulator.Run(settings, BalancerNames.PowerOfTwo);
        var hedged = Simulator.Run(settings with { HedgeSeconds = 1000 }, BalancerNames.PowerOfTwo);

        Assert.Equal(0, hedged.HedgesSent);
        Assert.Equal(plain.Latency.Mean, hedged.Latency.Mean);
        Assert.Equal(plain.Latency.Percentile(0.999), hedged.Latency.Percentile(0.999));
        Assert.Equal(plain.BusySeconds, hedged.BusySeconds, 9);
    }

    [Fact]
    public void EveryRequestSlowerThanTheDelay_SendsACopy_WhoseWorkStopsAtTheFirstAnswer()
    {
        // Constant 10 ms service on two nearly idle backends, a copy after 4 ms: the original answers at 10 ms, so the
        // copy, started on the other backend at 4 ms, is cancelled after 6 ms of work. Worker time per request: 16 ms,
        // a little less when the other backend was busy and the copy was cancelled from its queue before any work. The
        // copy wins only when the original waited in a queue (rarely, at this load).
        var settings = new SimulationSettings { Backends = 2, Requests = 20_000, Load = 0.05, Service = ServiceShape.Constant, HedgeSeconds = 0.004 };
        var result = Simulator.Run(settings, BalancerNames.RoundRobin);

        Assert.Equal(1.0, result.HedgeShare, 3);
        Assert.InRange(result.HedgeWins, 0, result.HedgesSent / 20);
        Assert.InRange(result.Latency.Mean, 0.0100, 0.0106);
        Assert.InRange(result.BusySeconds / result.Requests, 0.0150, 0.0160);
    }

    [Fact]
    public void ACopyThatAnswersFirst_Wins_AndCutsTheSlowRequestShort()
    {
        // One request in a hundred takes 10x to 100x the usual: a copy after 30 ms answers first for those.
        var settings = new SimulationSettings { Backends = 50, Requests = 200_000, Load = 0.3, Service = ServiceShape.HeavyTail };
        var plain = Simulator.Run(settings, BalancerNames.PowerOfTwo);
        var hedged = Simulator.Run(settings with { HedgeSeconds = 0.030 }, BalancerNames.PowerOfTwo);

        Assert.True(hedged.HedgeWins > hedged.HedgesSent / 2, $"{hedged.HedgeWins} of {hedged.HedgesSent} copies won");
        Assert.True(hedged.Latency.Percentile(0.999) < plain.Latency.Percentile(0.999) / 3, $"p99.9 {hedged.Latency.Percentile(0.999)} s hedged, {plain.Latency.Percentile(0.999)} s not");
        Assert.Equal(plain.Requests, hedged.Requests);
        Assert.Equal(0, hedged.Errors);
    }

    [Fact]
    public void TheCommand_RejectsHedgingWithFailingBackends_AndSaysWhy()
    {
        var stderr = new StringWriter();
        var code = SimulateCommand.Run(new SimulationSettings { HedgeSeconds = 0.02, FailFraction = 0.1, Retries = 1 }, [], null, new StringWriter(), stderr);

        Assert.Equal(ExitCodes.BadUsage, code);
        Assert.Contains("--hedge-ms", stderr.ToString(), StringComparison.Ordinal);
    }
}
