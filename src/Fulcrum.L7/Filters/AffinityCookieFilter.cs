using Fulcrum.L7.Exchange;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Fulcrum.L7.Filters;

/// <summary>
/// Cookie affinity (`affinity.mode: cookie` on the route's pool): the Set-Cookie that pins the client to the backend
/// that answered, when the pool's pick decided one is due (<see cref="HttpExchange.AffinityCookie"/>).
/// </summary>
internal sealed class AffinityCookieFilter : HttpFilter
{
    public static readonly AffinityCookieFilter Instance = new();

    public override FilterHooks Hooks => FilterHooks.ResponseHead;

    public override void OnResponseHead(HttpExchange exchange)
    {
        if (exchange.AffinityCookie is { } cookie) exchange.ResponseHeaders.Append(HeaderNames.SetCookie, cookie);
    }
}
