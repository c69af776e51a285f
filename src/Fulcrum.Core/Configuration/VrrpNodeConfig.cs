using System.Net;

namespace Fulcrum.Core.Configuration;

/// <summary>One machine of a `vrrp:` group.</summary>
public sealed record VrrpNodeConfig
{
    /// <summary>What `fulcrum keepalived --node` names (by default the host name).</summary>
    public required string Name { get; init; }
    /// <summary>The node's own address on the VRRP interface: the unicast source and the other nodes' peer.</summary>
    public IPAddress? Address { get; init; }
    /// <summary>1 to 254; the highest priority among the nodes that serve holds the VIP.</summary>
    public int Priority { get; init; } = 100;
    /// <summary>This node's interface when it differs from the section's.</summary>
    public string? Interface { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
