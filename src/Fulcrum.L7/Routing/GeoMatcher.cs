using Fulcrum.Core.Geo;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Routing;

/// <summary>
/// The client is in one of the listed countries or continents, by the topology's geo lookup (the `geo:` section) of
/// the client's address: the peer's, or the one a trusted proxy gave (<see cref="TrustedProxies"/>). The same lookup
/// places dns clients, so a name and a route agree on where a client is.
/// </summary>
internal sealed class GeoMatcher(IGeoLookup? lookup, GeoMatch match) : IRequestMatcher
{
    public bool Matches(HttpExchange exchange)
    {
        if (lookup is null || exchange.ClientAddress is not { } address) return false;
        return lookup.Find(address) is { } location && match.Matches(location);
    }
}
