using Fulcrum.Core.Balancing;
using Fulcrum.Lab;

namespace Fulcrum.Simulation;

/// <summary>
/// `herd`: ten balancers in front of 100 backends, each learning the true load only every 100 ms (Brooker, "Balls into
/// bins in a distributed system", 2019; Mitzenmacher, "How useful is old information?", 2000). Between refreshes every
/// balancer sends to the backend that looked least loaded, so least-connections herds: worse than even random. Best of
/// two random choices spreads the herd and stays good; with live load (one balancer) least-connections is best.
/// </summary>
internal static class Herd
{
    public static readonly string[] Algorithms = [BalancerNames.LeastConnections, BalancerNames.PowerOfTwo, BalancerNames.Random];

    public static SimulationSettings Stale(int seed) => new() { Backends = 100, Requests = 300_000, Balancers = 10, RefreshSeconds = 0.1, Seed = seed };

    public sealed record Outcome(IReadOnlyList<SimulationResult> Stale, IReadOnlyList<SimulationResult> Live)
    {
        private double Mean(IReadOnlyList<SimulationResult> results, string algorithm) => results.First(r => r.Algorithm == algorithm).Latency.Mean;

        /// <summary>Stale: least-connections' mean over twice best-of-two's and over random's; live: the order reversed.</summary>
        public bool Holds =>
            Mean(Stale, BalancerNames.LeastConnections) > 2 * Mean(Stale, BalancerNames.PowerOfTwo)
            && Mean(Stale, BalancerNames.LeastConnections) > Mean(Stale, BalancerNames.Random)
            && Mean(Live, BalancerNames.LeastConnections) < Mean(Live, BalancerNames.PowerOfTwo);
    }

    public static Outcome Run(int seed)
    {
        var stale = Stale(seed);
        var live = stale with { Balancers = 1, RefreshSeconds = 0 };
        return new([.. Algorithms.Select(a => Simulator.Run(stale, a))], [.. Algorithms.Select(a => Simulator.Run(live, a))]);
    }

    public static ScenarioReport Report(int seed)
    {
        var outcome = Run(seed);
        var stale = Stale(seed);
        static double Ms(double seconds) => seconds * 1000;
        double Mean(IReadOnlyList<SimulationResult> results, string algorithm) => Ms(results.First(r => r.Algorithm == algorithm).Latency.Mean);
        var rows = Enumerable.Range(0, outcome.Stale.Count).Select(i => (IReadOnlyList<string>)
        [
            outcome.Stale[i].Algorithm,
            ScenarioReport.Invariant($"{Ms(outcome.Stale[i].Latency.Mean):0.0}"),
            ScenarioReport.Invariant($"{Ms(outcome.Stale[i].Latency.Percentile(0.99)):0.0}"),
            ScenarioReport.Invariant($"{Ms(outcome.Live[i].Latency.Mean):0.0}"),
        ]).ToList();
        var names = outcome.Stale.Select(r => r.Algorithm).ToList();
        return new ScenarioReport(
            "herd",
            ScenarioReport.Invariant($"{stale.Balancers} balancers, {stale.Backends} backends at load {stale.Load:0.##}, exponential service (mean {Ms(stale.MeanService):0} ms), load shared every {Ms(stale.RefreshSeconds):0} ms (stale), or live (one balancer); {stale.Requests} requests, seed {stale.Seed}."),
            "(Brooker 2019; Mitzenmacher 2000) with stale load least-connections herds, its mean over twice power-of-two's and over random's; with live load least-connections is best.",
            ["algorithm", "stale mean ms", "stale p99 ms", "live mean ms"],
            rows,
            outcome.Holds,
            ScenarioReport.Invariant($"with stale load least-connections' mean is {Mean(outcome.Stale, BalancerNames.LeastConnections):0.0} ms against power-of-two's {Mean(outcome.Stale, BalancerNames.PowerOfTwo):0.0} ms and random's {Mean(outcome.Stale, BalancerNames.Random):0.0} ms; with live load {Mean(outcome.Live, BalancerNames.LeastConnections):0.0} ms against power-of-two's {Mean(outcome.Live, BalancerNames.PowerOfTwo):0.0} ms"))
        {
            Charts =
            [
                SvgChart.Bars("Mean latency, load shared every 100 ms (stale)", "ms", names, [.. outcome.Stale.Select(r => Ms(r.Latency.Mean))]),
                SvgChart.Bars("Mean latency, live load (one balancer)", "ms", names, [.. outcome.Live.Select(r => Ms(r.Latency.Mean))]),
            ],
        };
    }
}
