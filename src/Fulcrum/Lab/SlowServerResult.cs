namespace Fulcrum.Lab;

/// <summary>Everything one `slow-server` run measured, for the report.</summary>
public sealed record SlowServerResult(
    DateTimeOffset Started,
    TimeSpan Took,
    bool Short,
    TimeSpan MeasurePerAlgorithm,
    IReadOnlyList<LabBackend> Backends,
    IReadOnlyList<AlgorithmRun> Runs);
