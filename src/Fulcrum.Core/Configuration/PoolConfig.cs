using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

public sealed record PoolConfig
{
    public required string Name { get; init; }
    /// <summary>One of <see cref="Balancing.BalancerNames.All"/>; default round-robin.</summary>
    public string Algorithm { get; init; } = Balancing.BalancerNames.RoundRobin;
    public HashKeyConfig HashKey { get; init; } = HashKeyConfig.SourceIp;
    public ImmutableArray<BackendConfig> Backends { get; init; } = [];
    /// <summary>`backends` entries that are `dns:`, `srv:` or `file:` sources: the backends they find join at run time.</summary>
    public ImmutableArray<DiscoverySource> Sources { get; init; } = [];
    /// <summary>`discovery:` the resolver and the re-lookup bounds of <see cref="Sources"/>.</summary>
    public DiscoveryConfig Discovery { get; init; } = DiscoveryConfig.Default;
    /// <summary>Time to establish a connection to a backend (default 5s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Time for a backend to send the response headers (default 60s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>tcp: connect attempts after the first, each to another backend when one is left (default 2).</summary>
    public int ConnectRetries { get; init; } = 2;
    /// <summary>tcp: send a PROXY protocol header to the backends (default none).</summary>
    public ProxyProtocolVersion ProxyProtocol { get; init; } = ProxyProtocolVersion.None;
    /// <summary>Connections (L4) or requests (L7) in flight per backend at most (default 0: no limit).</summary>
    public int BackendMaxConnections { get; init; }
    /// <summary>tcp: when every backend is at its limit, queue the connection or refuse it (default queue).</summary>
    public OverLimitAction OverLimit { get; init; } = OverLimitAction.Queue;
    /// <summary>Longest wait in a pool's queue (default 5s): tcp, for a backend under its limit; http, for a connection under circuit-breaker.max-connections.</summary>
    public TimeSpan QueueTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>`health:` active and passive checks and the panic threshold (default: no checks, panic at 50%).</summary>
    public HealthConfig Health { get; init; } = HealthConfig.Default;
    /// <summary>`drain-timeout:` how long a draining backend may keep in-flight and sticky work (default 30s).</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>`slow-start:` ramp of a backend's effective weight after it comes up or is added (default 0: off).</summary>
    public TimeSpan SlowStart { get; init; } = TimeSpan.Zero;
    /// <summary>`retries:` what the L7 plane may retry and the per-pool retry budget.</summary>
    public RetryConfig Retries { get; init; } = RetryConfig.Default;
    /// <summary>`keepalive:` reuse of the L7 plane's connections to the backends.</summary>
    public KeepAliveConfig KeepAlive { get; init; } = KeepAliveConfig.Default;
    /// <summary>
    /// `load-header:` the response header the backends report their load in, ORCA style (Envoy's
    /// `endpoint-load-metrics`); read for `weighted-by-load` and removed before the client sees it. Null: not read.
    /// </summary>
    public string? LoadHeader { get; init; }
    /// <summary>`circuit-breaker:` thresholds past which work is refused at once; null means none (docs/protection.md).</summary>
    public CircuitBreakerConfig? CircuitBreaker { get; init; }
    /// <summary>`adaptive-concurrency:` a concurrency limit that follows latency, for load shedding; null means none.</summary>
    public AdaptiveConcurrencyConfig? AdaptiveConcurrency { get; init; }
    /// <summary>Sticky sessions; null means none.</summary>
    public AffinityConfig? Affinity { get; init; }
    /// <summary>
    /// Re-encryption to the backends, null for plain http. The one place every part asks whether a pool re-encrypts
    /// and with which settings: the parser sets it from the pool's `tls:` block or, without one, to the defaults
    /// (system CA store, SNI = the backend's host) when the backends' addresses say https://.
    /// </summary>
    public PoolTlsConfig? Tls { get; init; }
    /// <summary>
    /// `backend-protocol:` http/1.1 (default), h2c or h2. HTTP/2 pools carry many concurrent requests (streams) on one
    /// connection, and gRPC needs HTTP/2 end to end (docs/grpc.md).
    /// </summary>
    public BackendProtocol BackendProtocol { get; init; } = BackendProtocol.Http11;
    public SourceLocation Location { get; init; } = SourceLocation.None;
}

public sealed record BackendConfig
{
    public string? Name { get; init; }
    /// <summary>host:port; host may be an IP literal or a name. Without the scheme the file may have written.</summary>
    public required string Address { get; init; }
    /// <summary>The scheme the file wrote before the address, if any (the pool's <see cref="PoolConfig.Tls"/> carries its effect).</summary>
    public BackendScheme Scheme { get; init; }
    public int Weight { get; init; } = 1;
    public bool Backup { get; init; }
    /// <summary>dns: the clients this site is nearest to; dns answers put it first for them (docs/gslb.md).</summary>
    public GeoMatchConfig? Geo { get; init; }
    /// <summary>The <see cref="DiscoverySource.Text"/> of the source that found this backend; null for the file's and the API's.</summary>
    public string? DiscoveredBy { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary>A backend's id is its name if given, else its address.</summary>
    public string Id => Name ?? Address;
}
