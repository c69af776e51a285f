namespace Fulcrum.Core.Configuration;

/// <summary>Where a pool's discovered backends come from (docs/gslb.md, "Service discovery").</summary>
public enum DiscoveryKind
{
    /// <summary>`dns:NAME[:PORT]`: every A and AAAA record of the name, at one port.</summary>
    Dns,
    /// <summary>`srv:NAME`: the SRV records of the name (RFC 2782), each with its target's addresses, port and weight.</summary>
    Srv,
    /// <summary>`file:PATH`: a watched file of addresses, one backend a line.</summary>
    File,
}
