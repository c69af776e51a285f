using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Proxy;

/// <summary>
/// Writes the PROXY protocol header that tells a backend who the real client is.
/// Format: haproxy doc/proxy-protocol.txt, section 2.1 (v1, text) and 2.2 (v2, binary).
/// </summary>
public static class ProxyHeaderWriter
{
    /// <summary>The 12-byte v2 signature: \r\n\r\n\0\r\nQUIT\n.</summary>
    public static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>Longest header written: v1 is at most 107 bytes, v2 with IPv6 is 16 + 36 = 52.</summary>
    public const int MaxLength = 108;

    /// <summary>Writes the header for a TCP connection from <paramref name="source"/> to <paramref name="destination"/>; returns its length.</summary>
    public static int Write(ProxyProtocolVersion version, IPEndPoint source, IPEndPoint destination, Span<byte> output) => version switch
    {
        ProxyProtocolVersion.V1 => WriteV1(source, destination, output),
        ProxyProtocolVersion.V2 => WriteV2(source, destination, output),
        _ => 0,
    };

    public static int WriteV1(IPEndPoint source, IPEndPoint destination, Span<byte> output)
    {
        var (src, dst) = Normalize(source, destination);
        if (src.AddressFamily != dst.AddressFamily)
        {
            // Mixed families cannot be described; the spec's answer is UNKNOWN (section 2.1).
            return Encoding.ASCII.GetBytes("PROXY UNKNOWN\r\n", output);
        }

        var family = src.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6";
        var text = $"PROXY {family} {src.Address} {dst.Address} {src.Port} {dst.Port}\r\n";
        return Encoding.ASCII.GetBytes(text, output);
    }

    public static int WriteV2(IPEndPoint source, IPEndPoint destination, Span<byte> output)
    {
        var (src, dst) = Normalize(source, destination);
        V2Signature.CopyTo(output);
        output[12] = 0x21; // version 2, command PROXY
        if (src.AddressFamily != dst.AddressFamily)
        {
            output[13] = 0x00; // AF_UNSPEC: the receiver must use the real connection addresses
            BinaryPrimitives.WriteUInt16BigEndian(output[14..], 0);
            return 16;
        }

        var v4 = src.AddressFamily == AddressFamily.InterNetwork;
        var addressLength = v4 ? 4 : 16;
        output[13] = v4 ? (byte)0x11 : (byte)0x21; // TCP over IPv4 / IPv6
        var length = 2 * addressLength + 4;
        BinaryPrimitives.WriteUInt16BigEndian(output[14..], (ushort)length);
        var body = output[16..];
        src.Address.TryWriteBytes(body, out _);
        dst.Address.TryWriteBytes(body[addressLength..], out _);
        BinaryPrimitives.WriteUInt16BigEndian(body[(2 * addressLength)..], (ushort)src.Port);
        BinaryPrimitives.WriteUInt16BigEndian(body[(2 * addressLength + 2)..], (ushort)dst.Port);
        return 16 + length;
    }

    // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d; backends expect plain IPv4.
    private static (IPEndPoint, IPEndPoint) Normalize(IPEndPoint source, IPEndPoint destination) =>
        (Unmap(source), Unmap(destination));

    private static IPEndPoint Unmap(IPEndPoint e) =>
        e.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(e.Address.MapToIPv4(), e.Port) : e;
}
