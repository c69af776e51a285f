using System.Net;

namespace Fulcrum.Core.Configuration;

/// <summary>A pool's `discovery:` block: how its `dns:`, `srv:` and `file:` sources are looked up.</summary>
public sealed record DiscoveryConfig
{
    public static readonly DiscoveryConfig Default = new();

    /// <summary>The DNS server asked (address:port, port 53 when left out); null: the nameservers of /etc/resolv.conf.</summary>
    public IPEndPoint? Resolver { get; init; }
    /// <summary>Shortest wait before asking again, whatever the records' TTL (default 5s); also the wait after a failure.</summary>
    public TimeSpan MinInterval { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Longest wait before asking again, whatever the records' TTL (default 5m); a file is read again this often too.</summary>
    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Longest wait for one DNS answer (default 2s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
