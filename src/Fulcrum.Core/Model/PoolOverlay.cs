using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Model;

/// <summary>One pool's runtime changes (see <see cref="RuntimeOverlay"/> for the rule).</summary>
internal sealed class PoolOverlay
{
    /// <summary>Backends added through the API, by id.</summary>
    public Dictionary<string, BackendConfig> Added { get; } = new(StringComparer.Ordinal);
    /// <summary>Operator weights of file backends, with the file entry they were set against.</summary>
    public Dictionary<string, (int Weight, BackendConfig FileEntry)> Weights { get; } = new(StringComparer.Ordinal);
    /// <summary>File backends removed through the API, with the file entry they were removed from.</summary>
    public Dictionary<string, BackendConfig> Removed { get; } = new(StringComparer.Ordinal);
}
