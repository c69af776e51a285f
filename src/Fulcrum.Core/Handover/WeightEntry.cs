namespace Fulcrum.Core.Handover;

/// <summary>An operator's weight for a file backend, and the file entry it was set against (the overlay's rule needs both).</summary>
public sealed record WeightEntry
{
    public required string Id { get; init; }
    public int Weight { get; init; }
    public required BackendEntry File { get; init; }
}
