namespace Fulcrum.Lab;

/// <summary>What the `overload` scenario measured: its setup and one run per mode.</summary>
public sealed record OverloadResult(DateTimeOffset Started, TimeSpan Took, bool Short, OverloadScenario.Size Size, IReadOnlyList<OverloadRun> Runs);
