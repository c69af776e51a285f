using System.Buffers.Binary;
using System.Text;

namespace Fulcrum.Health.Probes;

/// <summary>
/// The two messages of grpc.health.v1 (grpc/grpc doc/health-checking.md), written and read by hand: a
/// HealthCheckRequest is field 1, the service name (a string), and a HealthCheckResponse is field 1, the status (an
/// enum). Each travels as one gRPC length-prefixed message (doc/PROTOCOL-HTTP2.md: a compressed flag byte, a 4-byte
/// big-endian length, the protobuf bytes). Two one-field messages do not justify Google.Protobuf and Grpc.Net.Client in
/// the shipped binary; the protobuf wire format (protobuf.dev, "Encoding") is stable.
/// </summary>
internal static class HealthCheckMessages
{
    /// <summary>HealthCheckResponse.ServingStatus.</summary>
    public const int Unknown = 0, Serving = 1, NotServing = 2, ServiceUnknown = 3;

    /// <summary>The request for <paramref name="service"/>, framed as one uncompressed gRPC message.</summary>
    public static byte[] Request(string service)
    {
        var name = Encoding.UTF8.GetBytes(service);
        // Field 1, wire type 2 (length-delimited): tag byte 0x0A, the length as a varint, the bytes. An empty string is
        // the field's default and is left out, as protobuf encoders do.
        var body = name.Length == 0 ? 0 : 1 + VarintSize((uint)name.Length) + name.Length;
        var message = new byte[5 + body];
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(1), (uint)body);
        if (body == 0) return message;
        var at = 5;
        message[at++] = 0x0A;
        for (var v = (uint)name.Length; ; v >>= 7)
        {
            if (v < 0x80)
            {
                message[at++] = (byte)v;
                break;
            }

            message[at++] = (byte)(v | 0x80);
        }

        name.CopyTo(message, at);
        return message;
    }

    /// <summary>
    /// The status of the response in <paramref name="framed"/> (one gRPC message), or null with <paramref name="problem"/>
    /// when it is not one uncompressed message that parses. Unknown fields are skipped, as protobuf readers do.
    /// </summary>
    public static int? ReadStatus(ReadOnlySpan<byte> framed, out string? problem)
    {
        problem = null;
        if (framed.Length < 5)
        {
            problem = "no response message";
            return null;
        }

        if (framed[0] != 0)
        {
            problem = "compressed response message (the probe asks for none)";
            return null;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(framed[1..]);
        if (length != framed.Length - 5)
        {
            problem = "response message length does not match its frame";
            return null;
        }

        var message = framed[5..];
        var status = Unknown;
        while (message.Length > 0)
        {
            if (!TryVarint(ref message, out var tag))
            {
                problem = "malformed response message";
                return null;
            }

            var field = tag >> 3;
            var ok = (tag & 7) switch
            {
                0 => TryVarint(ref message, out var value) && Take(field == 1, (int)value, ref status),
                1 => Skip(ref message, 8),
                2 => TryVarint(ref message, out var size) && size <= (ulong)message.Length && Skip(ref message, (int)size),
                5 => Skip(ref message, 4),
                _ => false,
            };
            if (!ok)
            {
                problem = "malformed response message";
                return null;
            }
        }

        return status;
    }

    public static string Name(int status) => status switch
    {
        Serving => "SERVING",
        NotServing => "NOT_SERVING",
        ServiceUnknown => "SERVICE_UNKNOWN",
        Unknown => "UNKNOWN",
        _ => "status " + status,
    };

    private static bool Take(bool wanted, int value, ref int status)
    {
        if (wanted) status = value;
        return true;
    }

    private static bool Skip(ref ReadOnlySpan<byte> message, int count)
    {
        if (count > message.Length) return false;
        message = message[count..];
        return true;
    }

    private static bool TryVarint(ref ReadOnlySpan<byte> message, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && message.Length > 0; shift += 7)
        {
            var b = message[0];
            message = message[1..];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }

        return false;
    }

    private static int VarintSize(uint value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }
}
