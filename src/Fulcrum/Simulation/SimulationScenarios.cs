namespace Fulcrum.Simulation;

/// <summary>
/// `fulcrum simulate --scenario NAME`: questions from the literature answered by the simulator, each with its stated
/// expectation, the measured figures and whether they land within the stated tolerance (docs/lab.md, "The simulator").
/// Each scenario builds its own <see cref="ScenarioReport"/>; adding one is adding its class and a line here.
/// </summary>
internal static class SimulationScenarios
{
    public static readonly string[] Names = ["herd", "retry-storm", "hedging", "subsetting", "balls-into-bins"];

    /// <summary>Runs <paramref name="name"/>; throws on an unknown name (the command checks <see cref="Names"/> first).</summary>
    public static ScenarioReport Report(string name, int seed) => name switch
    {
        "herd" => Herd.Report(seed),
        "retry-storm" => RetryStorm.Report(seed),
        "hedging" => Hedging.Report(seed),
        "subsetting" => Subsetting.Report(seed),
        "balls-into-bins" => BallsIntoBins.Report(seed),
        _ => throw new ArgumentException($"no scenario '{name}'", nameof(name)),
    };

    /// <summary>Runs <paramref name="name"/> and writes its table and verdict; false when the figures missed the expectation.</summary>
    public static bool Run(string name, int seed, TextWriter output)
    {
        var report = Report(name, seed);
        output.Write(report.Text());
        return report.Holds;
    }
}
