using Fulcrum.Lab;

namespace Fulcrum.Simulation;

/// <summary>
/// `subsetting`: 300 clients each talk to a subset of d of 300 backends and spread their (equal) load evenly over it,
/// as the Google SRE book's chapter 20 describes. Random subsets leave backends unevenly loaded: a backend is in
/// Binomial(N, d/M) subsets, so the busiest sits about sqrt(2 ln M) standard deviations over the mean, an imbalance of
/// 1 + sqrt(2 ln M) x sqrt((1 - d/M) M / (N d)), which shrinks as d grows. The book's deterministic subsetting (clients in
/// rounds, each round a fresh shuffle cut into M/d subsets) gives every backend the same number of clients: 1.0.
/// </summary>
internal static class Subsetting
{
    public const int Clients = 300;
    public const int Backends = 300;
    public static readonly int[] SubsetSizes = [3, 5, 10, 20, 30, 60, 100];

    /// <summary>
    /// The measured imbalance (busiest over mean) must be within this share of the binomial estimate: the estimate uses a
    /// normal approximation to the binomial's tail, loose at small d where the counts are small and skewed.
    /// </summary>
    public const double Tolerance = 0.25;

    public sealed record Row(int SubsetSize, double RandomImbalance, double RandomLeast, double Expected, double DeterministicImbalance)
    {
        public bool Holds => Math.Abs(RandomImbalance - Expected) <= Tolerance * Expected && (Backends % SubsetSize != 0 || Math.Abs(DeterministicImbalance - 1) < 1e-9);
    }

    public static List<Row> Run(int seed)
    {
        var rows = new List<Row>();
        foreach (var d in SubsetSizes)
        {
            // The mean over a few independent draws, so one unlucky draw does not decide.
            double random = 0, least = 0;
            const int draws = 20;
            for (var draw = 0; draw < draws; draw++)
            {
                var load = RandomLoad(d, new Random(seed * 7919 + d * 31 + draw));
                random += load.Max() / load.Average() / draws;
                least += load.Min() / load.Average() / draws;
            }

            var deterministic = DeterministicLoad(d, seed);
            var expected = 1 + Math.Sqrt(2 * Math.Log(Backends)) * Math.Sqrt((1 - (double)d / Backends) * Backends / ((double)Clients * d));
            rows.Add(new Row(d, random, least, expected, deterministic.Max() / deterministic.Average()));
        }

        return rows;
    }

    private static double[] RandomLoad(int d, Random random)
    {
        var load = new double[Backends];
        var all = Enumerable.Range(0, Backends).ToArray();
        for (var c = 0; c < Clients; c++)
        {
            random.Shuffle(all);
            for (var i = 0; i < d; i++) load[all[i]] += 1.0 / d;
        }

        return load;
    }

    // SRE book, "Deterministic subsetting": client c is in round c / (M/d); each round shuffles the backends with the
    // round as seed and cuts them into M/d subsets of d; the client takes subset c mod (M/d).
    private static double[] DeterministicLoad(int d, int seed)
    {
        var load = new double[Backends];
        var perRound = Math.Max(1, Backends / d);
        for (var c = 0; c < Clients; c++)
        {
            var backends = Enumerable.Range(0, Backends).ToArray();
            new Random(seed * 104729 + c / perRound).Shuffle(backends);
            var subset = c % perRound;
            for (var i = 0; i < d; i++) load[backends[subset * d + i]] += 1.0 / d;
        }

        return load;
    }

    public static ScenarioReport Report(int seed)
    {
        var rows = Run(seed);
        var small = rows[0];
        var large = rows[^1];
        return new ScenarioReport(
            "subsetting",
            ScenarioReport.Invariant($"{Clients} clients, {Backends} backends, each client spreading its load evenly over a subset of d backends (random subsets: the mean of 20 draws; deterministic subsets: the SRE book's), seed {seed}."),
            ScenarioReport.Invariant($"(binomial) the busiest backend over the mean = 1 + sqrt(2 ln M) sqrt((1 - d/M) M / (N d)) within {100 * Tolerance:0}%; deterministic subsetting (SRE book, chapter 20) exactly 1 when d divides M."),
            ["d", "random max", "random min", "expected", "determ.", "ok"],
            [.. rows.Select(r => (IReadOnlyList<string>)
            [
                ScenarioReport.Invariant($"{r.SubsetSize}"), ScenarioReport.Invariant($"{r.RandomImbalance:0.000}"), ScenarioReport.Invariant($"{r.RandomLeast:0.000}"),
                ScenarioReport.Invariant($"{r.Expected:0.000}"), ScenarioReport.Invariant($"{r.DeterministicImbalance:0.000}"), r.Holds ? "yes" : "NO",
            ])],
            rows.All(r => r.Holds),
            ScenarioReport.Invariant($"with random subsets of {small.SubsetSize} the busiest backend carries {small.RandomImbalance:0.00} times the mean (expected {small.Expected:0.00}), with {large.SubsetSize} {large.RandomImbalance:0.00} ({large.Expected:0.00}); deterministic subsets {small.DeterministicImbalance:0.00}"))
        {
            Charts =
            [
                SvgChart.Lines("Busiest backend's load over the mean, against the subset size d", "x mean",
                [
                    ("random", [.. rows.Select(r => ((double)r.SubsetSize, r.RandomImbalance))]),
                    ("expected", [.. rows.Select(r => ((double)r.SubsetSize, r.Expected))]),
                    ("deterministic", [.. rows.Select(r => ((double)r.SubsetSize, r.DeterministicImbalance))]),
                ], xUnit: ""),
            ],
        };
    }
}
