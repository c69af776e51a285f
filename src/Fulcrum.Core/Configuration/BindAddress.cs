using System.Net;

namespace Fulcrum.Core.Configuration;

/// <summary>An IP literal and a port (0 asks the OS for a free one). Hostnames are not allowed in binds.</summary>
public sealed record BindAddress(IPAddress Address, int Port)
{
    public override string ToString() => Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
        ? $"[{Address}]:{Port}"
        : $"{Address}:{Port}";
}
