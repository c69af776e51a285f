using Fulcrum.Core.Balancing;
using Fulcrum.Simulation;

namespace Fulcrum.Tests.Simulation;

/// <summary>
/// The simulator checked against queueing theory before its other answers are trusted. Runs are seeded, so each
/// figure is exact from run to run; the tolerances cover the gap between a finite run and the theory's limit.
/// </summary>
public sealed class SimulatorTheoryTests
{
    [Fact]
    public void OneBackend_IsAnMM1Queue_WhoseMeanTimeInTheSystemIs1OverMuMinusLambda()
    {
        // mu = 100/s (10 ms), lambda = 80/s: W = 1 / (100 - 80) = 50 ms; the share of time it holds at least i is rho^i.
        var result = Simulator.Run(new SimulationSettings { Backends = 1, Requests = 1_000_000, Load = 0.8, MeanService = 0.010 }, BalancerNames.RoundRobin);

        Assert.InRange(result.Latency.Mean, 0.050 * 0.95, 0.050 * 1.05);
        for (var i = 1; i <= 4; i++) Assert.InRange(result.AtLeast[i], Math.Pow(0.8, i) - 0.02, Math.Pow(0.8, i) + 0.02);
    }

    [Fact]
    public void PowerOfTwoChoices_MatchesMitzenmachersSupermarketModel_AndOneRandomChoiceMatchesMM1()
    {
        // With n queues, arrivals lambda x n and each request joining the shorter of d random queues, the share of
        // queues holding at least i tends to lambda^((d^i - 1) / (d - 1)) (Mitzenmacher 2001): lambda^(2^i - 1) for two
        // choices, lambda^i for one. At lambda = 0.9: 0.9, 0.729, 0.478, 0.206 against 0.9, 0.81, 0.729, 0.656.
        var settings = new SimulationSettings { Backends = 500, Requests = 1_500_000, Load = 0.9 };
        var two = Simulator.Run(settings, BalancerNames.PowerOfTwo);
        var one = Simulator.Run(settings with { Backends = 100, Requests = 600_000 }, BalancerNames.Random);

        for (var i = 1; i <= 4; i++)
        {
            Assert.InRange(two.AtLeast[i], Math.Pow(0.9, Math.Pow(2, i) - 1) - 0.025, Math.Pow(0.9, Math.Pow(2, i) - 1) + 0.025);
            Assert.InRange(one.AtLeast[i], Math.Pow(0.9, i) - 0.03, Math.Pow(0.9, i) + 0.03);
        }

        // The doubly exponential fall shows in the deepest queue: a few requests against dozens.
        Assert.True(two.MaxQueue <= 10, $"two choices: max queue {two.MaxQueue}");
        Assert.True(one.MaxQueue >= 30, $"one choice: max queue {one.MaxQueue}");
    }

    [Fact]
    public void ManyBalancersWithStaleLoad_MakeLeastConnectionsHerd_WhileTwoRandomChoicesStayGood()
    {
        // Brooker ("Balls into bins in a distributed system"): ten balancers that learn the true load every 100 ms all
        // send to the same least loaded backends between refreshes; best-of-two spreads them. With live load the
        // order is the other way round.
        var stale = new SimulationSettings { Backends = 100, Requests = 300_000, Balancers = 10, RefreshSeconds = 0.1 };
        var herd = Simulator.Run(stale, BalancerNames.LeastConnections);
        var twoChoices = Simulator.Run(stale, BalancerNames.PowerOfTwo);
        var random = Simulator.Run(stale, BalancerNames.Random);
        Assert.True(herd.Latency.Mean > 2 * twoChoices.Latency.Mean, $"least-connections {herd.Latency.Mean} s, power-of-two {twoChoices.Latency.Mean} s");
        Assert.True(herd.Latency.Mean > random.Latency.Mean, $"least-connections {herd.Latency.Mean} s, random {random.Latency.Mean} s");

        var live = stale with { Balancers = 1, RefreshSeconds = 0 };
        Assert.True(Simulator.Run(live, BalancerNames.LeastConnections).Latency.Mean < Simulator.Run(live, BalancerNames.PowerOfTwo).Latency.Mean);
    }

    [Fact]
    public void TheSameSeed_GivesTheSameRun()
    {
        var settings = new SimulationSettings { Backends = 20, Requests = 50_000, SlowFraction = 0.2, Service = ServiceShape.LogNormal };
        var a = Simulator.Run(settings, BalancerNames.PeakEwma);
        var b = Simulator.Run(settings, BalancerNames.PeakEwma);
        Assert.Equal(a.Served, b.Served);
        Assert.Equal(a.Latency.Percentile(0.99), b.Latency.Percentile(0.99));
    }

    [Fact]
    public void FailingBackends_MakeErrors_AndRetriesOnANewPickTurnThemIntoSuccesses()
    {
        var settings = new SimulationSettings { Backends = 10, Requests = 50_000, FailFraction = 0.1, Load = 0.5 };
        var without = Simulator.Run(settings, BalancerNames.RoundRobin);
        var with = Simulator.Run(settings with { Retries = 2 }, BalancerNames.RoundRobin);
        Assert.InRange(without.Errors, without.Requests / 10 - 500, without.Requests / 10 + 500); // one backend in ten
        Assert.True(with.Errors < without.Errors / 20, $"{with.Errors} errors with retries");
        Assert.True(with.RetriesSent > 0);
    }
}
