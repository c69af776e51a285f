using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Hashing;

namespace Fulcrum.Core.Affinity;

/// <summary>
/// Hashes a client address cut to a prefix, so clients behind one NAT or a mobile client moving inside
/// its /64 stay on one backend. IPv4-mapped IPv6 addresses count as IPv4.
/// </summary>
public static class SourcePrefix
{
    public static ulong Hash(IPAddress address, int ipv4Prefix, int ipv6Prefix)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        bytes = bytes[..written];
        var prefix = address.AddressFamily == AddressFamily.InterNetwork ? ipv4Prefix : ipv6Prefix;
        Mask(bytes, prefix);
        return KeyHash.Of(bytes);
    }

    private static void Mask(Span<byte> bytes, int prefix)
    {
        prefix = Math.Clamp(prefix, 0, bytes.Length * 8);
        var full = prefix / 8;
        var rest = prefix % 8;
        if (full < bytes.Length && rest != 0)
        {
            bytes[full] &= (byte)(0xFF << (8 - rest));
            full++;
        }

        bytes[full..].Clear();
    }
}
