using System.Globalization;
using System.Text;

namespace Fulcrum.Simulation;

/// <summary>
/// `fulcrum simulate --scenario NAME`: questions from the literature answered by the simulator, each with its stated
/// expectation, the measured figures and whether they land within the stated tolerance (docs/lab.md, "The simulator").
/// </summary>
internal static class SimulationScenarios
{
    public static readonly string[] Names = ["herd", "retry-storm", "subsetting", "balls-into-bins"];

    /// <summary>Runs <paramref name="name"/> and writes its table and verdict; false when the figures missed the expectation.</summary>
    public static bool Run(string name, int seed, TextWriter output)
    {
        var text = new StringBuilder();
        bool holds;
        switch (name)
        {
            case "herd":
                var herd = Herd.Run(seed);
                text.Append("10 balancers, 100 backends at load 0.9, load shared every 100 ms (stale) or live (1 balancer)\n");
                text.Append("Expectation (Brooker 2019; Mitzenmacher 2000): with stale load least-connections herds, mean over 2x power-of-two's and over random's; live, least-connections is best.\n\n");
                text.Append(Invariant($"{"algorithm",-20}{"stale mean ms",15}{"stale p99 ms",14}{"live mean ms",14}\n"));
                for (var i = 0; i < herd.Stale.Count; i++)
                {
                    text.Append(Invariant($"{herd.Stale[i].Algorithm,-20}{herd.Stale[i].Latency.Mean * 1000,15:0.0}{herd.Stale[i].Latency.Percentile(0.99) * 1000,14:0.0}{herd.Live[i].Latency.Mean * 1000,14:0.0}\n"));
                }

                holds = herd.Holds;
                break;
            case "retry-storm":
                var storm = RetryStorm.Run(seed);
                text.Append(Invariant($"100 backends at load 0.5, a share p failing each attempt after 10 ms, {RetryStorm.Retries} retries on a random new pick, budget {RetryStorm.Budget:P0} (min 3)\n"));
                text.Append(Invariant($"Expectation: without a budget 1 + p + p^2 + p^3 attempts a request (within {RetryStorm.Tolerance:P0}); with it at most 1 + 0.2/0.8 = 1.25 (+0.05).\n\n"));
                text.Append(Invariant($"{"p",6}{"attempts",10}{"expected",10}{"budget",10}{"bound",8}{"withheld",10}  ok\n"));
                foreach (var r in storm) text.Append(Invariant($"{r.Fail,6:0.0}{r.Without,10:0.000}{r.Expected,10:0.000}{r.With,10:0.000}{r.Bound,8:0.00}{r.Withheld,10}  {(r.Holds ? "yes" : "NO")}\n"));
                holds = storm.All(r => r.Holds);
                break;
            case "subsetting":
                var subsets = Subsetting.Run(seed);
                text.Append(Invariant($"{Subsetting.Clients} clients, {Subsetting.Backends} backends, each client spreading its load over a subset of d (mean of 20 draws)\n"));
                text.Append(Invariant($"Expectation (binomial): busiest / mean = 1 + sqrt(2 ln M) sqrt((1 - d/M) M / (N d)) within {Subsetting.Tolerance:P0}; deterministic subsetting (SRE book ch. 20) exactly 1 when d divides M.\n\n"));
                text.Append(Invariant($"{"d",6}{"random max",12}{"random min",12}{"expected",10}{"determ.",10}  ok\n"));
                foreach (var r in subsets) text.Append(Invariant($"{r.SubsetSize,6}{r.RandomImbalance,12:0.000}{r.RandomLeast,12:0.000}{r.Expected,10:0.000}{r.DeterministicImbalance,10:0.000}  {(r.Holds ? "yes" : "NO")}\n"));
                holds = subsets.All(r => r.Holds);
                break;
            case "balls-into-bins":
                var bins = BallsIntoBins.Run(seed);
                text.Append("n balls into n bins: one random bin each, or the less full of two random bins\n");
                text.Append(Invariant($"Expectation: one choice Gamma^-1(n) - 3/2 (Gonnet 1981), two choices ln ln n / ln 2 (Azar et al. 1994), each within {BallsIntoBins.Tolerance} balls.\n\n"));
                text.Append(Invariant($"{"n",10}{"one choice",12}{"expected",10}{"two",6}{"expected",10}  ok\n"));
                foreach (var r in bins) text.Append(Invariant($"{r.N,10}{r.OneChoice,12}{r.OneExpected,10:0.00}{r.TwoChoices,6}{r.TwoExpected,10:0.00}  {(r.Holds ? "yes" : "NO")}\n"));
                holds = bins.All(r => r.Holds);
                break;
            default:
                throw new ArgumentException($"no scenario '{name}'", nameof(name));
        }

        text.Append(holds ? "\nThe simulation agrees with the expectation.\n" : "\nThe simulation does NOT agree with the expectation.\n");
        output.Write(text.ToString());
        return holds;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
