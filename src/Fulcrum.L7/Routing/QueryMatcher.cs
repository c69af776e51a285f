using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Routing;

/// <summary>A query-string parameter (decoded) passes its test; with repeated parameters, any one may pass.</summary>
internal sealed class QueryMatcher(string name, ValueTest test) : IRequestMatcher
{
    public bool Matches(HttpExchange exchange) => test.Test(exchange.QueryValue(name));
}
