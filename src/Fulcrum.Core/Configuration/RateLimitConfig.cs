namespace Fulcrum.Core.Configuration;

/// <summary>What a rate limit counts requests by (`key:`).</summary>
public enum RateLimitKeySource
{
    /// <summary>`client-ip`: the client's address (after `trusted-proxies`).</summary>
    ClientIp,
    /// <summary>`header:NAME`.</summary>
    Header,
    /// <summary>`cookie:NAME`.</summary>
    Cookie,
    /// <summary>`route`: every request of the route shares one budget.</summary>
    Route,
    /// <summary>`jwt:CLAIM`: a claim of the token the route's `auth.jwt` verified; counted after authentication.</summary>
    Jwt,
}

/// <summary>Where a rate limit's counters live (`scope:`).</summary>
public enum RateLimitScope
{
    /// <summary>`local`: in this instance's memory; each instance allows the whole rate.</summary>
    Local,
    /// <summary>`cluster`: in Redis, shared by every instance of the `cluster:` section; the rate is for them all.</summary>
    Cluster,
}

/// <summary>
/// One `rate-limit` of a route, with nginx's `limit_req` semantics: `rate` requests per second on average, `burst`
/// more allowed at once; with `nodelay` the burst is served at once, without it the excess is delayed to the rate.
/// Past the burst: `status` (429) with an exact Retry-After.
/// </summary>
public sealed record RateLimitConfig
{
    public RateLimitKeySource Key { get; init; } = RateLimitKeySource.ClientIp;
    /// <summary>The header or cookie name, or the claim, for those keys.</summary>
    public string? KeyName { get; init; }
    /// <summary>Requests per second on average (`100/s`, `600/m`).</summary>
    public double Rate { get; init; }
    /// <summary>Requests allowed above the rate at once (default 0, as nginx).</summary>
    public int Burst { get; init; }
    /// <summary>Serve the burst at once (true) or delay it to the rate, as nginx does without `nodelay` (default false).</summary>
    public bool NoDelay { get; init; }
    /// <summary>The status of a rejected request (default 429).</summary>
    public int Status { get; init; } = 429;
    /// <summary>Send `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers) on every response (default false).</summary>
    public bool Headers { get; init; }
    /// <summary>Keys tracked at most; idle ones are forgotten first (default 100000).</summary>
    public int MaxKeys { get; init; } = 100_000;
    /// <summary>Counted by this instance alone (default) or by the whole cluster through Redis.</summary>
    public RateLimitScope Scope { get; init; } = RateLimitScope.Local;
    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary>The same limit whatever its place in the file: a reload keeps its counters.</summary>
    public bool SameLimit(RateLimitConfig other) => this with { Location = SourceLocation.None } == other with { Location = SourceLocation.None };
}
