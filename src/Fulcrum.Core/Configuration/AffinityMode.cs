namespace Fulcrum.Core.Configuration;

/// <summary>`affinity.mode`: what a client is kept on a backend by.</summary>
public enum AffinityMode
{
    /// <summary>Fulcrum inserts a cookie holding an opaque backend token.</summary>
    Cookie,
    /// <summary>Consistent hash of the application's own session cookie.</summary>
    AppCookie,
    /// <summary>Consistent hash of the client address, cut to a prefix.</summary>
    SourceIp,
    /// <summary>Consistent hash of a request header.</summary>
    Header,
}

/// <summary>`affinity.on-unavailable`: rebalance (pick again, re-issue the cookie) or fail (503).</summary>
public enum AffinityUnavailablePolicy
{
    Rebalance,
    Fail,
}

/// <summary>The cookie's SameSite attribute (RFC 6265bis): lax (default), strict, none.</summary>
public enum SameSiteMode
{
    Lax,
    Strict,
    None,
}
