using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Routing;

/// <summary>A request cookie (name case-sensitive, as browsers send it) passes its test.</summary>
internal sealed class CookieMatcher(string name, ValueTest test) : IRequestMatcher
{
    public bool Matches(HttpExchange exchange) => test.Test(exchange.Cookie(name));
}
