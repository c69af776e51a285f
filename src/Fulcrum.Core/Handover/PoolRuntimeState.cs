namespace Fulcrum.Core.Handover;

/// <summary>One pool's part of a <see cref="RuntimeState"/>: its overlay entries and its backends' state.</summary>
public sealed record PoolRuntimeState
{
    public required string Name { get; init; }
    /// <summary>Backends added through the admin API.</summary>
    public List<BackendEntry> Added { get; init; } = [];
    /// <summary>Operator weights of file backends, each with the file entry it was set against.</summary>
    public List<WeightEntry> Weights { get; init; } = [];
    /// <summary>File backends removed through the admin API, each as the file had it.</summary>
    public List<BackendEntry> Removed { get; init; } = [];
    public List<BackendRuntimeState> Backends { get; init; } = [];
}
