using System.Net;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Routing;

/// <summary>The client's address is inside one of the blocks (IPv4-mapped IPv6 peers come as IPv4: <see cref="HttpExchange.ClientAddress"/>).</summary>
internal sealed class ClientCidrMatcher(IPNetwork[] networks) : IRequestMatcher
{
    public bool Matches(HttpExchange exchange)
    {
        var address = exchange.ClientAddress;
        if (address is null) return false;
        foreach (var network in networks)
        {
            if (network.Contains(address)) return true;
        }

        return false;
    }
}
