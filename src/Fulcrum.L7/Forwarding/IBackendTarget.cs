using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;

namespace Fulcrum.L7.Forwarding;

/// <summary>
/// The end of a route's chain when no filter answered: a pool (<see cref="PoolForwarder"/>) or a weighted split of
/// pools (<see cref="PoolSplit"/>). It answers the exchange, sending every response (the backend's, or its own 502,
/// 503, 504) up through all of <paramref name="chain"/>'s response hooks.
/// </summary>
internal interface IBackendTarget
{
    Task ForwardAsync(HttpExchange exchange, FilterChain chain);
}
