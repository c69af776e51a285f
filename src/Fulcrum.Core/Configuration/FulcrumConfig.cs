using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>The whole config file, immutable. A reload builds a new one; runtime state lives elsewhere.</summary>
public sealed record FulcrumConfig
{
    public string SourcePath { get; init; } = "<memory>";
    public AdminConfig? Admin { get; init; }
    /// <summary>Every listener's access log unless the listener has its own; none when null.</summary>
    public AccessLogConfig? AccessLog { get; init; }
    /// <summary>OpenTelemetry spans per proxied request; off when null.</summary>
    public TracingConfig? Tracing { get; init; }
    /// <summary>State shared with other instances through Redis; this instance stands alone when null.</summary>
    public ClusterConfig? Cluster { get; init; }
    public ImmutableArray<ListenerConfig> Listeners { get; init; } = [];
    public ImmutableArray<PoolConfig> Pools { get; init; } = [];
    /// <summary>What SIGTERM does before the drain.</summary>
    public ShutdownConfig Shutdown { get; init; } = ShutdownConfig.Default;
    /// <summary>Where client addresses are mapped to a country and continent (routes' `geo` match, dns answers); none when null.</summary>
    public GeoConfig? Geo { get; init; }
    /// <summary>How the L4 TCP relay moves bytes; read when the tcp data plane starts.</summary>
    public IoEngineChoice IoEngine { get; init; } = IoEngineChoice.Auto;
    /// <summary>The virtual IP shared through keepalived; none when null.</summary>
    public VrrpConfig? Vrrp { get; init; }
}
