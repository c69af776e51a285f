using Fulcrum.L7.Routing;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Actions;

/// <summary>What a matched route does: forward to a pool, split over pools, redirect, or answer itself.</summary>
internal abstract class RouteAction
{
    public abstract Task ExecuteAsync(HttpContext context, CompiledRoute route);
}
