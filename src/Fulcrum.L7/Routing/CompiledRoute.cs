using Fulcrum.Core.Configuration;
using Fulcrum.L7.Actions;
using Fulcrum.L7.Transforms;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Routing;

/// <summary>A route ready for the hot path: its conditions (all must hold), its action and its transforms.</summary>
internal sealed class CompiledRoute(string name, IRequestMatcher[] conditions, RouteAction action, RouteTransformer transformer, SourceLocation location)
{
    public string Name => name;
    public RouteAction Action => action;
    public RouteTransformer Transformer => transformer;
    public SourceLocation Location => location;

    public bool Matches(HttpContext context)
    {
        foreach (var condition in conditions)
        {
            if (!condition.Matches(context)) return false;
        }

        return true;
    }
}
