using Fulcrum.L7.Forwarding;
using Fulcrum.L7.Routing;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Actions;

/// <summary>`pool: NAME`: forward to one pool.</summary>
internal sealed class PoolAction(PoolForwarder pool) : RouteAction
{
    public override Task ExecuteAsync(HttpContext context, CompiledRoute route) => pool.ForwardAsync(context, route.Transformer);
}
