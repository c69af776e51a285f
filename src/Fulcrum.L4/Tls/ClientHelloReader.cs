using System.Buffers.Binary;
using System.Text;

namespace Fulcrum.L4.Tls;

public enum ClientHelloStatus
{
    NeedMore,
    Invalid,
    Done,
}

/// <summary>
/// Finds the server name in a TLS ClientHello without terminating TLS. Layouts: RFC 8446 5.1 (record),
/// 4.1.2 (ClientHello; the same wire shape as TLS 1.0-1.2 in RFC 5246 7.4.1.2) and RFC 6066 3 (server_name).
/// The ClientHello may arrive over several TCP segments and even several TLS records; the caller keeps
/// appending bytes and calls again until the answer is not <see cref="ClientHelloStatus.NeedMore"/>.
/// </summary>
public static class ClientHelloReader
{
    /// <summary>We give up on ClientHellos larger than this (real ones are under 2 KiB; with PQ key shares under 4).</summary>
    public const int MaxLength = 16 * 1024;

    private const byte HandshakeRecord = 22;
    private const byte ClientHelloType = 1;
    private const ushort ServerNameExtension = 0;

    /// <summary>On Done, <paramref name="serverName"/> is the lower-cased host name, or null when the ClientHello has none.</summary>
    public static ClientHelloStatus TryRead(ReadOnlySpan<byte> data, out string? serverName)
    {
        serverName = null;
        var status = CollectHandshake(data, out var handshake);
        if (status != ClientHelloStatus.Done) return status;
        return ParseClientHello(handshake, out serverName) ? ClientHelloStatus.Done : ClientHelloStatus.Invalid;
    }

    // Joins the fragments of the first handshake message across records (RFC 8446 5.1 allows splitting).
    private static ClientHelloStatus CollectHandshake(ReadOnlySpan<byte> data, out ReadOnlySpan<byte> handshake)
    {
        handshake = default;
        byte[]? joined = null;
        var joinedLength = 0;
        var offset = 0;
        while (true)
        {
            if (data.Length - offset < 5) return ClientHelloStatus.NeedMore;
            var record = data[offset..];
            if (record[0] != HandshakeRecord || record[1] != 3) return ClientHelloStatus.Invalid;
            int length = BinaryPrimitives.ReadUInt16BigEndian(record[3..]);
            if (length == 0 || length > 16384) return ClientHelloStatus.Invalid;
            if (offset + 5 + length > MaxLength + 5) return ClientHelloStatus.Invalid;
            var available = Math.Min(length, record.Length - 5);
            var fragment = record.Slice(5, available);
            ReadOnlySpan<byte> soFar;
            if (joined is null && offset == 0)
            {
                soFar = fragment;
            }
            else
            {
                joined ??= new byte[MaxLength + 4];
                if (joinedLength + available > joined.Length) return ClientHelloStatus.Invalid;
                fragment.CopyTo(joined.AsSpan(joinedLength));
                soFar = joined.AsSpan(0, joinedLength + available);
            }

            if (soFar.Length >= 1 && soFar[0] != ClientHelloType) return ClientHelloStatus.Invalid;
            if (soFar.Length >= 4)
            {
                var messageLength = (soFar[1] << 16) | (soFar[2] << 8) | soFar[3];
                if (messageLength > MaxLength) return ClientHelloStatus.Invalid;
                if (soFar.Length >= 4 + messageLength)
                {
                    handshake = soFar[..(4 + messageLength)];
                    return ClientHelloStatus.Done;
                }
            }

            if (available < length) return ClientHelloStatus.NeedMore;

            // This record is complete but the message continues in the next one.
            if (joined is null)
            {
                joined = new byte[MaxLength + 4];
                fragment.CopyTo(joined);
            }

            joinedLength += available;
            offset += 5 + length;
        }
    }

    private static bool ParseClientHello(ReadOnlySpan<byte> hs, out string? serverName)
    {
        serverName = null;
        var body = hs[4..];
        // legacy_version(2) random(32)
        if (body.Length < 34) return false;
        var p = body[34..];
        if (!Skip8(ref p) || !Skip16(ref p) || !Skip8(ref p)) return false; // session id, cipher suites, compression
        if (p.IsEmpty) return true; // SSL 3.0-style hello without extensions: no SNI
        if (p.Length < 2) return false;
        int extensionsLength = BinaryPrimitives.ReadUInt16BigEndian(p);
        p = p[2..];
        if (p.Length < extensionsLength) return false;
        p = p[..extensionsLength];
        while (!p.IsEmpty)
        {
            if (p.Length < 4) return false;
            var type = BinaryPrimitives.ReadUInt16BigEndian(p);
            int length = BinaryPrimitives.ReadUInt16BigEndian(p[2..]);
            if (p.Length < 4 + length) return false;
            var ext = p.Slice(4, length);
            p = p[(4 + length)..];
            if (type != ServerNameExtension) continue;
            return ParseServerName(ext, out serverName);
        }

        return true;
    }

    // RFC 6066 3: ServerNameList { NameType name_type (0 = host_name); opaque HostName<1..2^16-1> }.
    private static bool ParseServerName(ReadOnlySpan<byte> ext, out string? serverName)
    {
        serverName = null;
        if (ext.Length < 2) return false;
        int listLength = BinaryPrimitives.ReadUInt16BigEndian(ext);
        var list = ext[2..];
        if (list.Length != listLength) return false;
        while (!list.IsEmpty)
        {
            if (list.Length < 3) return false;
            var nameType = list[0];
            int nameLength = BinaryPrimitives.ReadUInt16BigEndian(list[1..]);
            if (list.Length < 3 + nameLength || nameLength == 0) return false;
            var name = list.Slice(3, nameLength);
            list = list[(3 + nameLength)..];
            if (nameType != 0) continue;
            foreach (var c in name)
            {
                if (c is <= 0x20 or >= 0x7F) return false; // host names are ASCII (A-labels)
            }

            serverName = Encoding.ASCII.GetString(name).ToLowerInvariant().TrimEnd('.');
            return true;
        }

        return true;
    }

    private static bool Skip8(ref ReadOnlySpan<byte> p)
    {
        if (p.Length < 1 || p.Length < 1 + p[0]) return false;
        p = p[(1 + p[0])..];
        return true;
    }

    private static bool Skip16(ref ReadOnlySpan<byte> p)
    {
        if (p.Length < 2) return false;
        int n = BinaryPrimitives.ReadUInt16BigEndian(p);
        if (p.Length < 2 + n) return false;
        p = p[(2 + n)..];
        return true;
    }
}
