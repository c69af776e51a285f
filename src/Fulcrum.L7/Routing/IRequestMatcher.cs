using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Routing;

/// <summary>One compiled condition of a route's match. Implementations are immutable and allocate nothing per call.</summary>
internal interface IRequestMatcher
{
    bool Matches(HttpExchange exchange);
}
