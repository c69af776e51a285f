namespace Fulcrum.Simulation;

/// <summary>How long one request takes on a backend of speed 1, in seconds: the shapes queueing theory uses.</summary>
internal enum ServiceShape
{
    /// <summary>Exponential (M/M/c): memoryless, the textbook case the theory checks use.</summary>
    Exponential,
    /// <summary>Every request takes the mean (M/D/c).</summary>
    Constant,
    /// <summary>Log-normal with sigma 1: most requests quick, a heavy tail of slow ones, as real services are.</summary>
    LogNormal,
    /// <summary>Mixed fast and slow: 90% take the mean / 5.5, 10% take 5.5 x that (the lab's mixed requests).</summary>
    Bimodal,
    /// <summary>
    /// A rare slow request: 99% exponential, 1% taking 10x to 100x the fast mean (log-uniform), each request on its own,
    /// as from the garbage collections, background jobs and contention "The Tail at Scale" (Dean and Barroso 2013) names.
    /// </summary>
    HeavyTail,
}

internal static class ServiceTimes
{
    public static double Draw(ServiceShape shape, double mean, Random random) => shape switch
    {
        ServiceShape.Exponential => -mean * Math.Log(1 - random.NextDouble()),
        ServiceShape.Constant => mean,
        // A log-normal with sigma 1 has mean e^(mu + 1/2): mu = ln(mean) - 1/2 keeps the mean.
        ServiceShape.LogNormal => Math.Exp(Math.Log(mean) - 0.5 + Normal(random)),
        ServiceShape.HeavyTail => HeavyTail(mean, random),
        // 0.9 x fast + 0.1 x 10 fast = 1.9 fast = mean.
        _ => random.NextDouble() < 0.9 ? mean / 1.9 : mean * 10 / 1.9,
    };

    public static bool TryParse(string text, out ServiceShape shape)
    {
        shape = text switch
        {
            "exp" or "exponential" => ServiceShape.Exponential,
            "const" or "constant" => ServiceShape.Constant,
            "lognormal" => ServiceShape.LogNormal,
            "bimodal" => ServiceShape.Bimodal,
            "tail" => ServiceShape.HeavyTail,
            _ => (ServiceShape)(-1),
        };
        return Enum.IsDefined(shape);
    }

    public static string Name(ServiceShape shape) => shape switch
    {
        ServiceShape.Exponential => "exp",
        ServiceShape.Constant => "const",
        ServiceShape.LogNormal => "lognormal",
        ServiceShape.HeavyTail => "tail",
        _ => "bimodal",
    };

    /// <summary>The share of requests that are slow in <see cref="ServiceShape.HeavyTail"/>, and how many times slower.</summary>
    public const double SlowShare = 0.01;
    public const double SlowLeast = 10;
    public const double SlowMost = 100;

    // A log-uniform factor on [10, 100] has mean (100 - 10) / ln 10 = 39.1, so the mean is fast x (0.99 + 0.01 x 39.1)
    // = 1.381 fast: dividing the mean by that keeps it.
    private static readonly double HeavyTailMean = 1 - SlowShare + SlowShare * (SlowMost - SlowLeast) / Math.Log(SlowMost / SlowLeast);

    private static double HeavyTail(double mean, Random random)
    {
        var fast = mean / HeavyTailMean;
        return random.NextDouble() < SlowShare
            ? fast * SlowLeast * Math.Pow(SlowMost / SlowLeast, random.NextDouble())
            : -fast * Math.Log(1 - random.NextDouble());
    }

    // Box-Muller: one standard normal from two uniforms.
    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
