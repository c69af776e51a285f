namespace Fulcrum.Core.Configuration;

/// <summary>What a route's WAF does with a request the rules flag (`waf.mode`).</summary>
public enum WafMode
{
    /// <summary>`off`: no inspection; the route pays nothing.</summary>
    Off,
    /// <summary>`detect`: inspect, count and log what the rules would refuse, and let it through (ModSecurity's DetectionOnly).</summary>
    Detect,
    /// <summary>`block`: refuse what the rules refuse, with their status (403).</summary>
    Block,
}
