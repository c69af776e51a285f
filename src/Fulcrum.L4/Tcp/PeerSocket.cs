using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.IO.Uring;

namespace Fulcrum.L4.Tcp;

/// <summary>
/// One side of a proxied TCP connection, the client's or the backend's: either the runtime's <see cref="Socket"/>, or,
/// where the connection lives on an io_uring loop and no .NET API needs one, the bare descriptor. A runtime socket
/// costs system calls to make (over an accepted descriptor it asks the kernel for the family, type, protocol and
/// flags: about seven) and to dispose; a connection that is accepted, connected, relayed and closed on its ring needs
/// none of that. Which of the two a side is, is decided when it is made and never changes, so no thread ever sees a
/// descriptor turn into a socket under it.
/// </summary>
internal readonly struct PeerSocket
{
    private PeerSocket(Socket? socket, int fd)
    {
        Socket = socket;
        Fd = fd;
    }

    /// <summary>The runtime's socket; null for a bare descriptor.</summary>
    public Socket? Socket { get; }

    /// <summary>The descriptor, for the ring's operations.</summary>
    public int Fd { get; }

    /// <summary>Neither: a side already closed, that <see cref="Close"/> leaves alone.</summary>
    public static readonly PeerSocket None = new(null, -1);

    public static PeerSocket Of(Socket socket) => new(socket, (int)socket.SafeHandle.DangerousGetHandle());

    public static PeerSocket Bare(int fd) => new(null, fd);

    /// <summary>The peer's address; null when there is none (reset already).</summary>
    public IPEndPoint? RemoteEndPoint()
    {
        if (Socket is null) return SockAddr.Peer(Fd);
        try
        {
            return (IPEndPoint?)Socket.RemoteEndPoint;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>The address the peer reached; null on failure.</summary>
    public IPEndPoint? LocalEndPoint() => Socket is null ? SockAddr.Local(Fd) : (IPEndPoint?)Socket.LocalEndPoint;

    /// <summary>
    /// From any thread, to end the connection: a runtime socket is disposed, which fails its pending calls. A bare
    /// descriptor is left alone (closing a number another thread may still use could close whatever reuses it): it
    /// is used only on its ring, whose relay an abort cancels, and closed by <see cref="Close"/>.
    /// </summary>
    public void Abort() => Socket?.Dispose();

    /// <summary>
    /// Once nothing uses it any more. A bare descriptor closes in <paramref name="loop"/>'s next submission when this is
    /// that loop's thread, else at once.
    /// </summary>
    public void Close(UringLoop? loop)
    {
        if (Socket is not null)
        {
            Socket.Dispose();
            return;
        }

        if (Fd < 0) return;
        if (loop is not null && loop.IsCurrent) loop.Close(Fd);
        else UringNative.Close(Fd);
    }
}
