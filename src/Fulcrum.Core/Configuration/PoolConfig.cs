using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

public sealed record PoolConfig
{
    public required string Name { get; init; }
    /// <summary>One of <see cref="Balancing.BalancerNames.All"/>; default round-robin.</summary>
    public string Algorithm { get; init; } = "round-robin";
    public HashKeyConfig HashKey { get; init; } = HashKeyConfig.SourceIp;
    public ImmutableArray<BackendConfig> Backends { get; init; } = [];
    /// <summary>Time to establish a connection to a backend (default 5s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Time for a backend to send the response headers (default 60s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public SourceLocation Location { get; init; } = SourceLocation.None;
}

public sealed record BackendConfig
{
    public string? Name { get; init; }
    /// <summary>host:port; host may be an IP literal or a name.</summary>
    public required string Address { get; init; }
    public int Weight { get; init; } = 1;
    public bool Backup { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary>A backend's id is its name if given, else its address.</summary>
    public string Id => Name ?? Address;
}
