using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Fulcrum.Core.IO.Uring;

/// <summary>
/// struct sockaddr_in and sockaddr_in6 (the kernel's uapi in.h and in6.h) to and from <see cref="IPEndPoint"/>, for
/// descriptors no runtime <see cref="Socket"/> wraps: a connect on the ring, the address of an accepted descriptor.
/// </summary>
internal static unsafe class SockAddr
{
    /// <summary>Room for either family.</summary>
    public const int MaxLength = 28;

    /// <summary>Writes <paramref name="endpoint"/> at <paramref name="to"/> (<see cref="MaxLength"/> bytes); returns its length.</summary>
    public static int Write(IPEndPoint endpoint, byte* to)
    {
        var span = new Span<byte>(to, MaxLength);
        span.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)endpoint.Port);
        if (endpoint.AddressFamily == AddressFamily.InterNetwork)
        {
            *(ushort*)to = UringNative.AfInet;
            endpoint.Address.TryWriteBytes(span[4..], out _);
            return 16;
        }

        *(ushort*)to = UringNative.AfInet6;
        endpoint.Address.TryWriteBytes(span[8..], out _);
        *(uint*)(to + 24) = (uint)endpoint.Address.ScopeId;
        return MaxLength;
    }

    /// <summary>The endpoint at <paramref name="from"/>; null for a family other than IPv4 and IPv6.</summary>
    public static IPEndPoint? Read(byte* from, int length)
    {
        var span = new ReadOnlySpan<byte>(from, length);
        if (length < 16) return null;
        var port = BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
        return *(ushort*)from switch
        {
            UringNative.AfInet => new IPEndPoint(new IPAddress(span.Slice(4, 4)), port),
            UringNative.AfInet6 when length >= MaxLength => new IPEndPoint(new IPAddress(span.Slice(8, 16), *(uint*)(from + 24)), port),
            _ => null,
        };
    }

    /// <summary>The peer of a connected descriptor (getpeername(2)); null when it has none (a reset already).</summary>
    public static IPEndPoint? Peer(int fd)
    {
        var buffer = stackalloc byte[MaxLength];
        uint length = MaxLength;
        return UringNative.GetPeerName(fd, buffer, &length) == 0 ? Read(buffer, (int)length) : null;
    }

    /// <summary>The local address of a descriptor (getsockname(2)); null on failure.</summary>
    public static IPEndPoint? Local(int fd)
    {
        var buffer = stackalloc byte[MaxLength];
        uint length = MaxLength;
        return UringNative.GetSockName(fd, buffer, &length) == 0 ? Read(buffer, (int)length) : null;
    }
}
