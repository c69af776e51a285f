namespace Fulcrum.Core.Configuration;

/// <summary>
/// A pool's `health:` block. Active checks probe on timers; passive checks watch real traffic.
/// Both feed the same per-backend health state (see docs/health.md).
/// </summary>
public sealed record HealthConfig
{
    public static readonly HealthConfig Default = new();

    /// <summary>`active:`; null (the default) runs no probes: backends stay up unless passive checks eject them.</summary>
    public ActiveHealthConfig? Active { get; init; }
    /// <summary>`passive:` outlier detection; on by default with its defaults (`consecutive-failures: 0` turns it off).</summary>
    public PassiveHealthConfig Passive { get; init; } = PassiveHealthConfig.Default;
    /// <summary>`agent:` the backends' own agents report a weight and a state; null (the default): no agent.</summary>
    public AgentCheckConfig? Agent { get; init; }
    /// <summary>
    /// `panic-threshold` (default 50%, Envoy's): when fewer than this share of primaries are usable and no backup is,
    /// the pool spreads over all of them, ignoring health. 0 turns panic mode off.
    /// </summary>
    public double PanicThreshold { get; init; } = 0.5;
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
