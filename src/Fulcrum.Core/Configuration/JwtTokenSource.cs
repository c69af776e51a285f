namespace Fulcrum.Core.Configuration;

/// <summary>Where a route's `auth.jwt` finds the token (`token:`).</summary>
public enum JwtTokenSource
{
    /// <summary>`bearer`: `Authorization: Bearer TOKEN` (RFC 6750 section 2.1), the default.</summary>
    Bearer,
    /// <summary>`header:NAME`: the header's value, with or without a `Bearer ` prefix.</summary>
    Header,
    /// <summary>`cookie:NAME`.</summary>
    Cookie,
    /// <summary>`query:NAME` (RFC 6750 section 2.3, which advises against it; some clients can do no other).</summary>
    Query,
}
