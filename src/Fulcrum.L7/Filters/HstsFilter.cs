using Fulcrum.L7.Exchange;
using Fulcrum.L7.Tls;

namespace Fulcrum.L7.Filters;

/// <summary>`tls.hsts` on an https listener: Strict-Transport-Security on every response (RFC 6797), answers included.</summary>
internal sealed class HstsFilter(string value) : HttpFilter
{
    public override FilterHooks Hooks => FilterHooks.ResponseHead;

    public override void OnResponseHead(HttpExchange exchange) => exchange.ResponseHeaders[Hsts.HeaderName] = value;
}
