namespace Fulcrum.Admin.Json;

/// <summary>
/// One `dns:`, `srv:` or `file:` source of a pool: `state` is `pending` before its first answer, `ok`, `stale` when the
/// last lookup failed and the pool keeps the last good set, or `failing` when no lookup has succeeded yet.
/// </summary>
public sealed record DiscoveryView(
    string Source,
    string State,
    int Backends,
    DateTimeOffset? LastSuccess,
    DateTimeOffset? LastFailure,
    string? LastError,
    DateTimeOffset? NextLookup);
