using Fulcrum.Core.Balancing;

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
}
