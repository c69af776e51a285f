using Fulcrum.Core.Balancing;

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
}
