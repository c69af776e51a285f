using Fulcrum.Core.Balancing;
using Fulcrum.Core.Observability;

namespace Fulcrum.L7.Filters;

/// <summary>
/// What building a route's filters needs besides the route's config: state that outlives one config generation
/// (rate-limit counters, protection counters) and the registry of named filters. One per http plane; each edge
/// feature that keeps state across reloads adds its holder here rather than a parameter to the route compiler.
/// </summary>
internal sealed class FilterServices(BalancerServices services, FilterRegistry registry, ProtectionStats protection, Core.Caching.CacheRegistry? caches = null,
    RouteStatsTable? routes = null) : IDisposable
{
    public BalancerServices Services { get; } = services;
    public TimeProvider Time => Services.Time;
    public FilterRegistry Registry { get; } = registry;
    /// <summary>The decision counters every protection increments (metrics, `GET /api/protection`).</summary>
    public ProtectionStats Protection { get; } = protection;
    /// <summary>Each route's request counts and latency (`fulcrum_route_*`), kept across reloads.</summary>
    public RouteStatsTable Routes { get; } = routes ?? new();
    public RateLimitStates RateLimits { get; } = new(services.Time);
    /// <summary>JWKS sources and the HTTP client of forward auth.</summary>
    public Auth.AuthServices Auth { get; } = new(services);

    /// <summary>The WAF's loaded rule sets: the process's, so `fulcrum run`'s config check and every reload share them.</summary>
    public Waf.WafRuleSets Waf { get; } = Fulcrum.L7.Waf.WafRuleSets.Shared;

    /// <summary>Every cached route's store, by listener and route, kept across reloads.</summary>
    public Caching.CacheStores Caches { get; } = new(caches ?? new Core.Caching.CacheRegistry());

    public void Dispose() => Auth.Dispose();
}
