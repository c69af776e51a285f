namespace Fulcrum.Core.Configuration;

/// <summary>The `shutdown:` section: what SIGTERM does before the drain.</summary>
public sealed record ShutdownConfig
{
    public static readonly ShutdownConfig Default = new();

    /// <summary>
    /// After SIGTERM, /healthz answers 503 and the VRRP state file yields at once, while the listeners keep accepting this
    /// long; then the drain begins (Traefik's requestAcceptGraceTimeout). Default 0: the drain begins at once.
    /// </summary>
    public TimeSpan AcceptGrace { get; init; } = TimeSpan.Zero;
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
