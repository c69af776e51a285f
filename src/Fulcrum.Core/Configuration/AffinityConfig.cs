namespace Fulcrum.Core.Configuration;

/// <summary>
/// `affinity:` on a pool: keeps a client on one backend. Keys and defaults (docs/affinity.md):
/// mode (cookie | app-cookie | source-ip | header), cookie, ttl, path, domain, http-only, secure,
/// same-site, secret, header, source-ip: { ipv4-prefix, ipv6-prefix }, on-unavailable (rebalance | fail).
/// </summary>
public sealed record AffinityConfig
{
    public const string DefaultCookieName = "FULCRUM_AFFINITY";

    public required AffinityMode Mode { get; init; }
    /// <summary>cookie: the cookie Fulcrum inserts; app-cookie: the application's session cookie (e.g. JSESSIONID).</summary>
    public string Cookie { get; init; } = DefaultCookieName;
    /// <summary>cookie: Max-Age of the inserted cookie; null (default) makes it a browser-session cookie.</summary>
    public TimeSpan? Ttl { get; init; }
    public string Path { get; init; } = "/";
    public string? Domain { get; init; }
    public bool HttpOnly { get; init; } = true;
    /// <summary>null (default, `auto`): Secure when the request came over https.</summary>
    public bool? Secure { get; init; }
    public SameSiteMode SameSite { get; init; } = SameSiteMode.Lax;
    /// <summary>
    /// Key of the cookie token's HMAC. When null it is derived from the pool name: stable across reloads
    /// and across instances with the same config, but guessable (a client could forge a token for another
    /// backend of the pool; it never learns an address). Set it to make tokens unforgeable.
    /// </summary>
    public string? Secret { get; init; }
    /// <summary>header: the request header whose value is the sticky key (e.g. X-User-Id).</summary>
    public string? Header { get; init; }
    /// <summary>source-ip: how many leading bits of an IPv4 client address count (default 32).</summary>
    public int Ipv4Prefix { get; init; } = 32;
    /// <summary>source-ip: how many leading bits of an IPv6 client address count (default 64, one subscriber's /64).</summary>
    public int Ipv6Prefix { get; init; } = 64;
    /// <summary>cookie: what to do when the cookie's backend exists but cannot take work (default rebalance).</summary>
    public AffinityUnavailablePolicy OnUnavailable { get; init; } = AffinityUnavailablePolicy.Rebalance;
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
