using Fulcrum.Lab;

namespace Fulcrum.Simulation;

/// <summary>
/// `balls-into-bins`: n balls thrown into n bins, each into one random bin or into the less full of two random bins,
/// for n from 1,000 to 1,000,000; the fullest bin against theory. One choice: the maximum is Gamma^-1(n) - 3/2 + o(1)
/// (Gonnet 1981), about ln n / ln ln n; two choices: ln ln n / ln 2 + O(1) (Azar, Broder, Karlin and Upfal 1994).
/// Plain counting, no queueing: this is the law the power-of-two balancer rests on.
/// </summary>
internal static class BallsIntoBins
{
    public static readonly int[] Sizes = [1_000, 10_000, 100_000, 1_000_000];

    /// <summary>How far a measured maximum may sit from the expectation, in balls: the o(1) and O(1) of the theorems.</summary>
    public const double Tolerance = 1.5;

    public sealed record Row(int N, int OneChoice, int TwoChoices, double OneExpected, double TwoExpected)
    {
        public bool Holds => Math.Abs(OneChoice - OneExpected) <= Tolerance && Math.Abs(TwoChoices - TwoExpected) <= Tolerance;
    }

    public static List<Row> Run(int seed)
    {
        var rows = new List<Row>();
        foreach (var n in Sizes)
        {
            var random = new Random(seed + n);
            var one = new int[n];
            var two = new int[n];
            int maxOne = 0, maxTwo = 0;
            for (var ball = 0; ball < n; ball++)
            {
                var a = random.Next(n);
                maxOne = Math.Max(maxOne, ++one[a]);
                var x = random.Next(n);
                var y = random.Next(n);
                var pick = two[y] < two[x] ? y : x;
                maxTwo = Math.Max(maxTwo, ++two[pick]);
            }

            rows.Add(new Row(n, maxOne, maxTwo, InverseGamma(n) - 1.5, Math.Log(Math.Log(n)) / Math.Log(2)));
        }

        return rows;
    }

    /// <summary>The x with Gamma(x) = n, by bisection on ln Gamma (Stirling's series is ample at these sizes).</summary>
    public static double InverseGamma(double n)
    {
        double lo = 2, hi = 100, target = Math.Log(n);
        for (var i = 0; i < 100; i++)
        {
            var mid = (lo + hi) / 2;
            if (LogGamma(mid) < target) lo = mid;
            else hi = mid;
        }

        return (lo + hi) / 2;
    }

    private static double LogGamma(double x) =>
        (x - 0.5) * Math.Log(x) - x + 0.5 * Math.Log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);

    public static ScenarioReport Report(int seed)
    {
        var rows = Run(seed);
        var largest = rows[^1];
        return new ScenarioReport(
            "balls-into-bins",
            ScenarioReport.Invariant($"n balls into n bins: each into one random bin, or into the less full of two random bins; n from {Sizes[0]} to {Sizes[^1]}, seed {seed}."),
            ScenarioReport.Invariant($"the fullest bin holds Gamma^-1(n) - 3/2 balls with one choice (Gonnet 1981) and ln ln n / ln 2 with two (Azar, Broder, Karlin and Upfal 1994), each within {Tolerance} balls."),
            ["n", "one choice", "one expected", "two choices", "two expected", "ok"],
            [.. rows.Select(r => (IReadOnlyList<string>)
            [
                ScenarioReport.Invariant($"{r.N}"), ScenarioReport.Invariant($"{r.OneChoice}"), ScenarioReport.Invariant($"{r.OneExpected:0.00}"),
                ScenarioReport.Invariant($"{r.TwoChoices}"), ScenarioReport.Invariant($"{r.TwoExpected:0.00}"), r.Holds ? "yes" : "NO",
            ])],
            rows.All(r => r.Holds),
            ScenarioReport.Invariant($"with n = {largest.N} the fullest bin held {largest.OneChoice} balls with one choice (expected {largest.OneExpected:0.00}) and {largest.TwoChoices} with two (expected {largest.TwoExpected:0.00})"))
        {
            Charts =
            [
                SvgChart.Lines("The fullest bin against log10 n", "balls",
                [
                    ("one choice", [.. rows.Select(r => (Math.Log10(r.N), (double)r.OneChoice))]),
                    ("one, expected", [.. rows.Select(r => (Math.Log10(r.N), r.OneExpected))]),
                    ("two choices", [.. rows.Select(r => (Math.Log10(r.N), (double)r.TwoChoices))]),
                    ("two, expected", [.. rows.Select(r => (Math.Log10(r.N), r.TwoExpected))]),
                ], xUnit: ""),
            ],
        };
    }
}
