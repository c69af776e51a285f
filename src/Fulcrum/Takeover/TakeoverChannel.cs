using System.Net.Sockets;
using System.Text.Json;

namespace Fulcrum.Takeover;

/// <summary>
/// One connection of the takeover dialogue: a Unix SOCK_SEQPACKET socket, so each message keeps its bounds and its
/// descriptors arrive with it. A <see cref="TakeoverMessage"/> goes as one or more parts of at most 32 KiB (the first
/// byte says whether more follow), descriptors spread over them at most <see cref="ScmRights.MaxDescriptors"/> a part.
/// The calls block (with a timeout): the dialogue happens once per upgrade, on a thread of its own.
/// </summary>
internal sealed class TakeoverChannel : IDisposable
{
    private const int PartSize = 32 * 1024;
    private const byte Last = 0;
    private const byte More = 1;

    private readonly Socket _socket;

    public TakeoverChannel(Socket socket) => _socket = socket;

    /// <summary>A new SOCK_SEQPACKET Unix socket.</summary>
    public static Socket NewSocket() => new(AddressFamily.Unix, SocketType.Seqpacket, ProtocolType.Unspecified);

    /// <summary>Connects to <paramref name="path"/>; null when no process serves it (no such file, or nobody accepting there).</summary>
    public static TakeoverChannel? Connect(string path)
    {
        var socket = NewSocket();
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return new TakeoverChannel(socket);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.ConnectionRefused)
        {
            socket.Dispose();
            return null;
        }
    }

    public void Send(TakeoverMessage message, IReadOnlyList<int> descriptors, TimeSpan timeout)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, TakeoverJsonContext.Default.TakeoverMessage);
        var part = new byte[PartSize + 1];
        var sentBytes = 0;
        var sentDescriptors = 0;
        do
        {
            var length = Math.Min(PartSize, bytes.Length - sentBytes);
            var count = Math.Min(ScmRights.MaxDescriptors, descriptors.Count - sentDescriptors);
            var last = sentBytes + length == bytes.Length && sentDescriptors + count == descriptors.Count;
            part[0] = last ? Last : More;
            bytes.AsSpan(sentBytes, length).CopyTo(part.AsSpan(1));
            var fds = new int[count];
            for (var i = 0; i < count; i++) fds[i] = descriptors[sentDescriptors + i];
            ScmRights.Send(_socket, part.AsSpan(0, length + 1), fds, timeout);
            sentBytes += length;
            sentDescriptors += count;
            if (last) return;
        }
        while (true);
    }

    /// <summary>The next message and the descriptors that came with it; a null message when the other side closed.</summary>
    public (TakeoverMessage? Message, List<int> Descriptors) Receive(TimeSpan timeout)
    {
        var descriptors = new List<int>();
        var document = new MemoryStream();
        var part = new byte[PartSize + 1];
        while (true)
        {
            var n = ScmRights.Receive(_socket, part, descriptors, timeout);
            if (n == 0)
            {
                InheritedSockets.CloseShared(descriptors);
                return (null, descriptors.Count == 0 ? descriptors : []);
            }

            document.Write(part, 1, n - 1);
            if (part[0] == Last) break;
        }

        var message = JsonSerializer.Deserialize(document.ToArray(), TakeoverJsonContext.Default.TakeoverMessage);
        return (message, descriptors);
    }

    public void Dispose() => _socket.Dispose();
}
