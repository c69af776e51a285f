using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Routing;

/// <summary>
/// One listener's routes for one topology generation, immutable. The listener swaps the whole table on a
/// reload (one volatile write), so a request sees either the old routes or the new ones, never a mix.
/// </summary>
internal sealed class RouteTable(long generation, CompiledRoute[] routes, bool requestId)
{
    public static readonly RouteTable Empty = new(0, [], requestId: false);

    public long Generation => generation;
    public int Count => routes.Length;
    /// <summary>The listener's `request-id` setting of this generation.</summary>
    public bool RequestId => requestId;

    /// <summary>The first route whose conditions all hold, or null (the listener answers 404).</summary>
    public CompiledRoute? Match(HttpContext context)
    {
        foreach (var route in routes)
        {
            if (route.Matches(context)) return route;
        }

        return null;
    }
}
