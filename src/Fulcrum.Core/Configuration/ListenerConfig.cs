using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

public sealed record ListenerConfig
{
    public required string Name { get; init; }
    public required BindAddress Bind { get; init; }
    public ListenerProtocol Protocol { get; init; } = ListenerProtocol.Http;
    /// <summary>http/https: first match wins.</summary>
    public ImmutableArray<RouteConfig> Routes { get; init; } = [];
    /// <summary>tcp/udp: the one pool this listener feeds (unless routed by SNI).</summary>
    public string? Pool { get; init; }
    /// <summary>http/https: add X-Forwarded-For/Proto/Host (default true).</summary>
    public bool ForwardedHeaders { get; init; } = true;
    /// <summary>http/https: set X-Real-IP to the client's address on requests to backends (default false).</summary>
    public bool XRealIp { get; init; }
    /// <summary>http/https: keep or generate X-Request-ID (default true).</summary>
    public bool RequestId { get; init; } = true;
    /// <summary>
    /// http/https: peers (CIDR blocks) whose X-Forwarded-For, Forwarded, X-Real-IP and X-Request-ID are believed; from
    /// every other peer they are replaced (default none: Fulcrum is the edge).
    /// </summary>
    public ImmutableArray<string> TrustedProxies { get; init; } = [];
    /// <summary>http/https: CIDR blocks; when given, clients outside them get 403 on every route (and the 404 of no route).</summary>
    public ImmutableArray<string> Allow { get; init; } = [];
    /// <summary>http/https: CIDR blocks whose clients get 403 on every route, allowed or not.</summary>
    public ImmutableArray<string> Deny { get; init; } = [];
    /// <summary>
    /// http: serve HTTP/2 with prior knowledge (h2c, RFC 9113 section 3.3) instead of HTTP/1.1, for gRPC clients in
    /// cleartext (default false). Kestrel picks one protocol per cleartext endpoint: it has no ALPN there to choose by.
    /// </summary>
    public bool H2c { get; init; }
    /// <summary>
    /// http/https: `front-end:` kestrel or fulcrum; null when the file does not say, and the data plane takes its
    /// default (fulcrum, Fulcrum's own, unless the FULCRUM_FRONT_END environment variable names kestrel).
    /// </summary>
    public HttpFrontEnd? FrontEnd { get; init; }
    /// <summary>http/https: how much and how slowly a client may send (`limits:`).</summary>
    public HttpLimitsConfig Limits { get; init; } = HttpLimitsConfig.Default;
    /// <summary>tcp: TLS passthrough routed by SNI instead of <see cref="Pool"/> (exact, `*.` wildcard, `*` default).</summary>
    public ImmutableArray<SniRouteConfig> Sni { get; init; } = [];
    /// <summary>tcp, http, https: expect a PROXY v1/v2 header from a trusted upstream and use its client address (default false).</summary>
    public bool AcceptProxy { get; init; }
    /// <summary>tcp, http, https: how long to wait for a PROXY header (tcp: or a TLS ClientHello) before closing (default 5s).</summary>
    public TimeSpan InspectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>tcp: open client connections at most (default 0: no limit).</summary>
    public int MaxConnections { get; init; }
    /// <summary>tcp: beyond max-connections, queue (stop accepting) or refuse (accept and close) (default queue).</summary>
    public OverLimitAction OverLimit { get; init; } = OverLimitAction.Queue;
    /// <summary>tcp: close a connection when neither side sent anything for this long (default 10m, like nginx's proxy_timeout).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>tcp: close a connection this long after it was accepted, busy or not (default 0: no limit).</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.Zero;
    /// <summary>udp: a client's session ends after this long without a datagram either way (default 60s).</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>udp: concurrent client sessions at most; datagrams from new clients beyond it are dropped (default 10000).</summary>
    public int MaxSessions { get; init; } = 10_000;
    /// <summary>udp: larger datagrams are dropped and counted (default 65507, the largest IPv4 UDP payload).</summary>
    public int MaxDatagramSize { get; init; } = 65_507;
    /// <summary>https: certificates and TLS options (required for https).</summary>
    public ListenerTlsConfig? Tls { get; init; }
    /// <summary>dns: the names this listener answers, each from a pool's usable backends (docs/gslb.md).</summary>
    public ImmutableArray<DnsRecordConfig> Records { get; init; } = [];
    /// <summary>dns: the zone the records live in, its SOA and NS; null takes the defaults (<see cref="DnsZoneConfig"/>).</summary>
    public DnsZoneConfig? Zone { get; init; }
    /// <summary>This listener's access log, overriding the top-level one (`enabled: false` turns it off here).</summary>
    public AccessLogConfig? AccessLog { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
