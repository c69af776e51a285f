using System.Net;

namespace Fulcrum.Core.Configuration;

/// <summary>An IP literal and a port (0 asks the OS for a free one). Hostnames are not allowed in binds.</summary>
public sealed record BindAddress(IPAddress Address, int Port)
{
    /// <summary>
    /// True when both binds cannot hold the same transport at once: ports match (0 asks the OS, so never clashes)
    /// and addresses overlap, being equal or one the wildcard of the other's family. `[::]` is dual-stack on Linux
    /// by default (net.ipv6.bindv6only=0), so it overlaps IPv4 binds too.
    /// </summary>
    public bool Overlaps(BindAddress other)
    {
        if (Port == 0 || Port != other.Port) return false;
        if (Address.Equals(other.Address)) return true;
        if (Address.Equals(IPAddress.IPv6Any) || other.Address.Equals(IPAddress.IPv6Any)) return true;
        if (Address.AddressFamily != other.Address.AddressFamily) return false;
        return Address.Equals(IPAddress.Any) || other.Address.Equals(IPAddress.Any);
    }

    public override string ToString() => Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
        ? $"[{Address}]:{Port}"
        : $"{Address}:{Port}";
}
