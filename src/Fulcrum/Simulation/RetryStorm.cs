using Fulcrum.Core.Balancing;
using Fulcrum.Lab;

namespace Fulcrum.Simulation;

/// <summary>
/// `retry-storm`: 100 backends at half load, a share p of them failing each attempt after a full service time (an
/// overloaded backend timing out), 3 retries on a new random pick, without and with a 20% retry budget. Without a budget
/// each request makes 1 + p + p^2 + p^3 attempts, four times the work when everything fails: the retries themselves can
/// then keep an overloaded service down (the SRE book's "cascading failures"). Envoy's budget keeps the retries in
/// flight under 20% of the requests in flight (min 3), so at most about 1 + 0.2 / 0.8 = 1.25 attempts a request.
/// </summary>
internal static class RetryStorm
{
    public const int Retries = 3;
    public const double Budget = 0.2;
    public static readonly double[] FailShares = [0.1, 0.5, 0.9, 1.0];

    /// <summary>Measured attempts per request against the expectation: 3% without a budget (a finite run's noise), 0.05 over the bound with one.</summary>
    public const double Tolerance = 0.03;

    public sealed record Row(double Fail, double Without, double Expected, double With, double Bound, long Withheld)
    {
        public bool Holds => Math.Abs(Without - Expected) <= Tolerance * Expected && With <= Bound + 0.05;
    }

    public static SimulationSettings Settings(double fail, double budget, int seed) => new()
    {
        Backends = 100, Requests = 200_000, Load = 0.5, FailFraction = fail, FailSeconds = 0.010, Retries = Retries, RetryBudget = budget, Seed = seed,
    };

    public static List<Row> Run(int seed)
    {
        var rows = new List<Row>();
        foreach (var p in FailShares)
        {
            var without = Simulator.Run(Settings(p, 0, seed), BalancerNames.Random);
            var with = Simulator.Run(Settings(p, Budget, seed), BalancerNames.Random);
            var expected = p >= 1 ? Retries + 1 : (1 - Math.Pow(p, Retries + 1)) / (1 - p);
            // Under the budget no more than the expectation either; and no more than 1 + budget / (1 - budget).
            rows.Add(new Row(p, without.Amplification, expected, with.Amplification, Math.Min(expected, 1 + Budget / (1 - Budget)), with.RetriesWithheld));
        }

        return rows;
    }

    public static ScenarioReport Report(int seed)
    {
        var rows = Run(seed);
        var s = Settings(1, Budget, seed);
        var all = rows.Single(r => r.Fail >= 1);
        return new ScenarioReport(
            "retry-storm",
            ScenarioReport.Invariant($"{s.Backends} backends at load {s.Load:0.##}, a share p of them failing each attempt after {s.FailSeconds * 1000:0} ms, {Retries} retries on a random new pick, without and with a retry budget of {100 * Budget:0}% (min {s.MinRetries}); {s.Requests} requests a run, seed {seed}."),
            ScenarioReport.Invariant($"without a budget 1 + p + p^2 + p^3 attempts a request (within {100 * Tolerance:0}%); with it at most 1 + 0.2/0.8 = 1.25 (+0.05)."),
            ["p", "attempts", "expected", "budget", "bound", "withheld", "ok"],
            [.. rows.Select(r => (IReadOnlyList<string>)
            [
                ScenarioReport.Invariant($"{r.Fail:0.0}"), ScenarioReport.Invariant($"{r.Without:0.000}"), ScenarioReport.Invariant($"{r.Expected:0.000}"),
                ScenarioReport.Invariant($"{r.With:0.000}"), ScenarioReport.Invariant($"{r.Bound:0.00}"), ScenarioReport.Invariant($"{r.Withheld}"), r.Holds ? "yes" : "NO",
            ])],
            rows.All(r => r.Holds),
            ScenarioReport.Invariant($"when every backend fails, {Retries} retries make {all.Without:0.00} attempts a request (expected {all.Expected:0.00}) and the budget holds it to {all.With:0.00} (bound {all.Bound:0.00})"))
        {
            Charts =
            [
                SvgChart.Lines("Attempts per request against p, the share of backends failing", "attempts",
                [
                    ("no budget", [.. rows.Select(r => (r.Fail, r.Without))]),
                    ("expected", [.. rows.Select(r => (r.Fail, r.Expected))]),
                    ("20% budget", [.. rows.Select(r => (r.Fail, r.With))]),
                ], xUnit: ""),
            ],
        };
    }
}
