using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Fulcrum.Core.Proxy;

public enum ProxyParseStatus
{
    NeedMore,
    Invalid,
    Done,
}

/// <summary>
/// The result of reading a PROXY header. <see cref="Source"/> is null for `PROXY UNKNOWN`, v2 LOCAL and
/// AF_UNSPEC: the connection's own addresses apply then (haproxy doc/proxy-protocol.txt, 2.1 and 2.2).
/// </summary>
public readonly record struct ProxyHeader(int Length, IPEndPoint? Source, IPEndPoint? Destination);

/// <summary>
/// Parses a PROXY protocol v1 or v2 header from the first bytes a trusted upstream sends.
/// Strict: anything that is not exactly a header is <see cref="ProxyParseStatus.Invalid"/>, and the
/// connection is closed, because a listener with accept-proxy must never take addresses from a client.
/// </summary>
public static class ProxyHeaderReader
{
    /// <summary>Section 2.1: a v1 line is at most 107 bytes including CRLF.</summary>
    public const int MaxV1Length = 107;

    /// <summary>The most bytes we read before deciding: 16 + the largest v2 body we accept.</summary>
    public const int MaxLength = 16 + MaxV2Body;

    // TLVs after the addresses are allowed and skipped; cap the total to keep the peek buffer small.
    private const int MaxV2Body = 1024;

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    public static ProxyParseStatus TryParse(ReadOnlySpan<byte> data, out ProxyHeader header)
    {
        header = default;
        var sig = ProxyHeaderWriter.V2Signature;
        var n = Math.Min(data.Length, sig.Length);
        if (data[..n].SequenceEqual(sig[..n]))
        {
            return n < sig.Length ? ProxyParseStatus.NeedMore : ParseV2(data, out header);
        }

        n = Math.Min(data.Length, V1Prefix.Length);
        if (data[..n].SequenceEqual(V1Prefix[..n]))
        {
            return n < V1Prefix.Length ? ProxyParseStatus.NeedMore : ParseV1(data, out header);
        }

        return ProxyParseStatus.Invalid;
    }

    private static ProxyParseStatus ParseV1(ReadOnlySpan<byte> data, out ProxyHeader header)
    {
        header = default;
        var window = data[..Math.Min(data.Length, MaxV1Length)];
        var end = window.IndexOf("\r\n"u8);
        if (end < 0)
        {
            // A line feed or a NUL can never be part of a v1 line: refuse at once rather than wait for the timeout.
            if (window.IndexOfAny((byte)'\n', (byte)0) >= 0) return ProxyParseStatus.Invalid;
            return data.Length >= MaxV1Length ? ProxyParseStatus.Invalid : ProxyParseStatus.NeedMore;
        }

        // The same rule for a complete line, so the answer does not depend on where TCP cut the bytes (found by fuzzing:
        // "PROXY UNKNOWN a\0b\r\n" was Invalid in two segments and Done in one).
        if (window[..end].IndexOfAny((byte)'\n', (byte)0) >= 0) return ProxyParseStatus.Invalid;
        var line = Encoding.ASCII.GetString(data[V1Prefix.Length..end]);
        var parts = line.Split(' ');
        if (parts is ["UNKNOWN", ..])
        {
            header = new ProxyHeader(end + 2, null, null);
            return ProxyParseStatus.Done;
        }

        if (parts.Length != 5 || parts[0] is not ("TCP4" or "TCP6")) return ProxyParseStatus.Invalid;
        var family = parts[0] == "TCP4" ? System.Net.Sockets.AddressFamily.InterNetwork : System.Net.Sockets.AddressFamily.InterNetworkV6;
        if (!IPAddress.TryParse(parts[1], out var src) || src.AddressFamily != family) return ProxyParseStatus.Invalid;
        if (!IPAddress.TryParse(parts[2], out var dst) || dst.AddressFamily != family) return ProxyParseStatus.Invalid;
        if (!TryParsePort(parts[3], out var sport) || !TryParsePort(parts[4], out var dport)) return ProxyParseStatus.Invalid;
        header = new ProxyHeader(end + 2, new IPEndPoint(src, sport), new IPEndPoint(dst, dport));
        return ProxyParseStatus.Done;
    }

    // Ports are plain decimal 0..65535 without leading zeros or signs (section 2.1).
    private static bool TryParsePort(string s, out int port)
    {
        port = 0;
        if (s.Length is 0 or > 5 || (s.Length > 1 && s[0] == '0')) return false;
        foreach (var c in s)
        {
            if (c is < '0' or > '9') return false;
        }

        port = int.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        return port <= 65535;
    }

    private static ProxyParseStatus ParseV2(ReadOnlySpan<byte> data, out ProxyHeader header)
    {
        header = default;
        if (data.Length < 16) return ProxyParseStatus.NeedMore;
        var versionCommand = data[12];
        if (versionCommand >> 4 != 2) return ProxyParseStatus.Invalid;
        var command = versionCommand & 0x0F;
        if (command > 1) return ProxyParseStatus.Invalid;
        var familyProtocol = data[13];
        int length = BinaryPrimitives.ReadUInt16BigEndian(data[14..]);
        if (length > MaxV2Body) return ProxyParseStatus.Invalid;
        if (data.Length < 16 + length) return ProxyParseStatus.NeedMore;
        var body = data.Slice(16, length);
        var total = 16 + length;

        // LOCAL (health checks from the upstream itself) and UNSPEC carry no usable addresses.
        if (command == 0 || familyProtocol >> 4 == 0)
        {
            header = new ProxyHeader(total, null, null);
            return ProxyParseStatus.Done;
        }

        int addressLength = (familyProtocol >> 4) switch { 1 => 4, 2 => 16, _ => -1 };
        var transport = familyProtocol & 0x0F;
        if (addressLength < 0 || transport is not (1 or 2))
        {
            // AF_UNIX and unknown families: nothing we can route on, but the header itself is valid only for 3.
            if (familyProtocol >> 4 == 3 && body.Length >= 216)
            {
                header = new ProxyHeader(total, null, null);
                return ProxyParseStatus.Done;
            }

            return ProxyParseStatus.Invalid;
        }

        if (body.Length < 2 * addressLength + 4) return ProxyParseStatus.Invalid;
        var src = new IPAddress(body[..addressLength]);
        var dst = new IPAddress(body.Slice(addressLength, addressLength));
        int sport = BinaryPrimitives.ReadUInt16BigEndian(body[(2 * addressLength)..]);
        int dport = BinaryPrimitives.ReadUInt16BigEndian(body[(2 * addressLength + 2)..]);
        header = new ProxyHeader(total, new IPEndPoint(src, sport), new IPEndPoint(dst, dport));
        return ProxyParseStatus.Done;
    }
}
