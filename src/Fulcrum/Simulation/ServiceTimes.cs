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
}

internal static class ServiceTimes
{
    public static double Draw(ServiceShape shape, double mean, Random random) => shape switch
    {
        ServiceShape.Exponential => -mean * Math.Log(1 - random.NextDouble()),
        ServiceShape.Constant => mean,
        // A log-normal with sigma 1 has mean e^(mu + 1/2): mu = ln(mean) - 1/2 keeps the mean.
        ServiceShape.LogNormal => Math.Exp(Math.Log(mean) - 0.5 + Normal(random)),
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
            _ => (ServiceShape)(-1),
        };
        return Enum.IsDefined(shape);
    }

    public static string Name(ServiceShape shape) => shape switch
    {
        ServiceShape.Exponential => "exp",
        ServiceShape.Constant => "const",
        ServiceShape.LogNormal => "lognormal",
        _ => "bimodal",
    };

    // Box-Muller: one standard normal from two uniforms.
    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
