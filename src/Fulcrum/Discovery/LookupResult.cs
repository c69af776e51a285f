using Fulcrum.Core.Configuration;

namespace Fulcrum.Discovery;

/// <summary>What one lookup of a source found: its backends and how long they may be believed, or why it failed.</summary>
internal sealed record LookupResult(IReadOnlyList<BackendConfig> Backends, TimeSpan? Ttl, string? Error)
{
    public static LookupResult Found(IReadOnlyList<BackendConfig> backends, TimeSpan? ttl) => new(backends, ttl, null);

    public static LookupResult Failed(string error) => new([], null, error);

    public bool Ok => Error is null;
}
