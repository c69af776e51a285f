using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;

namespace Fulcrum.L7.Routing;

/// <summary>
/// One listener's routes for one topology generation, immutable. The listener swaps the whole table on a
/// reload (one volatile write), so a request sees either the old routes or the new ones, never a mix.
/// </summary>
internal sealed class RouteTable(long generation, CompiledRoute[] routes, CompiledRoute noRoute, bool tracing, TrustedProxies trustedProxies)
{
    public static readonly RouteTable Empty = new(0, [], RouteCompiler.NoRoute([]), tracing: false, TrustedProxies.None);

    public long Generation => generation;
    public int Count => routes.Length;
    /// <summary>The listener's `trusted-proxies`.</summary>
    public TrustedProxies TrustedProxies => trustedProxies;
    /// <summary>`tracing.enabled` in this generation: each request gets a span.</summary>
    public bool Tracing => tracing;

    /// <summary>What a request no route matches gets: the listener's own filters, then 404.</summary>
    public CompiledRoute NoRoute => noRoute;

    /// <summary>The first route whose conditions all hold, or null (the listener answers with <see cref="NoRoute"/>).</summary>
    public CompiledRoute? Match(HttpExchange exchange)
    {
        foreach (var route in routes)
        {
            if (route.Matches(exchange)) return route;
        }

        return null;
    }
}
