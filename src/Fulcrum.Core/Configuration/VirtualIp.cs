using System.Net;

namespace Fulcrum.Core.Configuration;

/// <summary>A virtual IP with the prefix length of the subnet it lives in, as keepalived's virtual_ipaddress writes it.</summary>
public sealed record VirtualIp(IPAddress Address, int PrefixLength)
{
    public override string ToString() => $"{Address}/{PrefixLength}";
}
