namespace Fulcrum.Lab;

/// <summary>How a lab scenario runs: where its report goes, and whether in the short mode the tests use.</summary>
/// <param name="Short">About 10 seconds in all instead of up to 2 minutes: fewer, noisier figures, the same report.</param>
public sealed record LabSettings(string OutputDirectory, bool Short)
{
    /// <summary>Setting this environment variable to 1 selects the short mode, as `--short` does.</summary>
    public const string ShortVariable = "FULCRUM_LAB_SHORT";
}
