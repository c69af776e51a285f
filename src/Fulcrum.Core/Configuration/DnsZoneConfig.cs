using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// A dns listener's `zone:`: the domain it is authoritative for and the SOA and NS it answers (RFC 1035 3.3.13,
/// RFC 2308 for the negative TTL). Names outside it are REFUSED; names inside that no record gives are NXDOMAIN.
/// </summary>
public sealed record DnsZoneConfig
{
    /// <summary>`name:` the zone's apex; default: the longest domain every record name is below.</summary>
    public string? Name { get; init; }
    /// <summary>`ns:` the zone's name servers; default `ns1.` + the zone.</summary>
    public ImmutableArray<string> NameServers { get; init; } = [];
    /// <summary>`hostmaster:` the SOA's mailbox as a domain name; default `hostmaster.` + the zone.</summary>
    public string? Hostmaster { get; init; }
    /// <summary>`serial:` the SOA serial; 0 (default) uses the time the config was applied, in Unix seconds, so each reload shows a new one.</summary>
    public uint Serial { get; init; }
    /// <summary>`ttl:` of the SOA and NS answers (default 1h).</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromHours(1);
    /// <summary>`negative-ttl:` how long resolvers cache NXDOMAIN and empty answers, the SOA's MINIMUM (default 30s).</summary>
    public TimeSpan NegativeTtl { get; init; } = TimeSpan.FromSeconds(30);
    public SourceLocation Location { get; init; } = SourceLocation.None;

    public static readonly DnsZoneConfig Default = new();
}
