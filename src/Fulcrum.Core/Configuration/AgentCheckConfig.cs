namespace Fulcrum.Core.Configuration;

/// <summary>
/// A pool's `health.agent`: HAProxy's agent-check. Each backend runs a small agent on `port` that answers one line
/// when connected to (`75%`, `drain`, `maint`, `ready`, `down`, `up`); Fulcrum asks every `interval`
/// (docs/health-checks.md, "Load feedback").
/// </summary>
public sealed record AgentCheckConfig
{
    /// <summary>`port:` of the agent on each backend's host (required).</summary>
    public int Port { get; init; }
    /// <summary>`send:` text written to the agent before reading its answer (default: nothing).</summary>
    public string? Send { get; init; }
    /// <summary>`interval:` between two questions to one agent (default 2s).</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>`timeout:` for connecting and the answer (default 1s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);
    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary>The shape the probe loop runs on: the agent's port, its timing, HAProxy's 10% spread.</summary>
    public ActiveHealthConfig AsProbe() => new()
    {
        Type = HealthCheckType.Tcp,
        Port = Port,
        Send = Send ?? "",
        Interval = Interval,
        Timeout = Timeout,
        Location = Location,
    };
}
