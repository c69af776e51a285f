using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Routing;

/// <summary>A request header (name ignoring case) passes its test; with several values, any one may pass.</summary>
internal sealed class HeaderMatcher(string name, ValueTest test) : IRequestMatcher
{
    public bool Matches(HttpExchange exchange) => test.Test(exchange.RequestHeader(name));
}
