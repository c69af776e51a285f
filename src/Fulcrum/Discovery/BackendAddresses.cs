using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Fulcrum.Discovery;

/// <summary>How a found address and port is written as a backend address (and so as its id): IPv6 in brackets.</summary>
internal static class BackendAddresses
{
    public static string Of(IPAddress address, int port) => address.AddressFamily == AddressFamily.InterNetworkV6
        ? $"[{address}]:{port.ToString(CultureInfo.InvariantCulture)}"
        : $"{address}:{port.ToString(CultureInfo.InvariantCulture)}";
}
