using Fulcrum.L7.Answers;
using Fulcrum.L7.Routing;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Actions;

/// <summary>A route naming a pool the config lacks (validation normally stops this): 503 naming the pool.</summary>
internal sealed class UnknownPoolAction(string pool) : RouteAction
{
    private readonly byte[] _body = PlainTextAnswer.UnknownPool(pool);

    public override Task ExecuteAsync(HttpContext context, CompiledRoute route) =>
        PlainTextAnswer.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, _body);
}
