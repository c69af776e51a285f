namespace Fulcrum.Core.Discovery;

/// <summary>A reading of a <see cref="DiscoveryStatus"/>.</summary>
public sealed record DiscoverySnapshot(
    string Source,
    DateTimeOffset? LastSuccess,
    DateTimeOffset? LastFailure,
    string? LastError,
    int Backends,
    DateTimeOffset? NextLookup)
{
    /// <summary>`pending` before the first answer, `ok` when the last lookup succeeded, `stale` when it failed and the pool keeps the last good set.</summary>
    public string State => LastFailure is { } failed && (LastSuccess is not { } ok || failed > ok)
        ? LastSuccess is null ? "failing" : "stale"
        : LastSuccess is null ? "pending" : "ok";
}
