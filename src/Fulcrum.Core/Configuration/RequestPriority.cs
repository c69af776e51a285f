namespace Fulcrum.Core.Configuration;

/// <summary>
/// A route's `priority:` for load shedding: when a pool's adaptive concurrency limit is reached, low-priority requests
/// are refused first (docs/protection.md). Each priority may fill its share of the limit.
/// </summary>
public enum RequestPriority
{
    /// <summary>`normal` (the default): up to 90% of the limit.</summary>
    Normal,
    /// <summary>`high`: up to the whole limit.</summary>
    High,
    /// <summary>`low`: up to half of the limit.</summary>
    Low,
}
