namespace Fulcrum.Core.Configuration;

/// <summary>How a dns record chooses among its pool's usable sites (docs/gslb.md).</summary>
public enum DnsPolicy
{
    /// <summary>Every usable site, nearest first.</summary>
    All,
    /// <summary>A random subset of `answers` sites, each drawn with a chance in proportion to its weight, nearest first.</summary>
    Weighted,
    /// <summary>The first `answers` usable sites in the pool's order, nearest first.</summary>
    Failover,
}
