using System.Net;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Routing;

/// <summary>The connection's peer address is inside one of the blocks. IPv4-mapped IPv6 peers are compared as IPv4.</summary>
internal sealed class ClientCidrMatcher(IPNetwork[] networks) : IRequestMatcher
{
    public bool Matches(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var network in networks)
        {
            if (network.Contains(address)) return true;
        }

        return false;
    }
}
