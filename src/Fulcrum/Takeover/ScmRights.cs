using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Fulcrum.Takeover;

/// <summary>
/// Sends and receives open file descriptors over a Unix socket (SCM_RIGHTS, unix(7)), which .NET has no API for: the
/// kernel installs a new descriptor in the receiver for the same open socket, so both processes hold one listening
/// socket and one accept queue. Linux, 64-bit (msghdr and cmsghdr as glibc lays them out there).
/// </summary>
internal static unsafe class ScmRights
{
    /// <summary>At most this many descriptors per message (the kernel's SCM_MAX_FD is 253).</summary>
    public const int MaxDescriptors = 250;

    private const int SolSocket = 1;
    private const int ScmRightsType = 1;
    private const int MsgCtrunc = 0x8;
    private const int MsgDontwait = 0x40;
    private const int MsgNosignal = 0x4000;
    private const int MsgCmsgCloexec = 0x40000000;
    private const int FGetfd = 1;
    private const int FSetfd = 2;
    private const int FdCloexec = 1;
    private const int Eintr = 4;
    private const int Eagain = 11;
    private static readonly int HeaderSize = sizeof(CmsgHdr);

    /// <summary>Sends <paramref name="payload"/> as one message with <paramref name="descriptors"/> attached.</summary>
    public static void Send(Socket socket, ReadOnlySpan<byte> payload, ReadOnlySpan<int> descriptors, TimeSpan timeout)
    {
        if (descriptors.Length > MaxDescriptors) throw new ArgumentException($"at most {MaxDescriptors} descriptors per message", nameof(descriptors));
        var controlLength = descriptors.IsEmpty ? 0 : Space(descriptors.Length * sizeof(int));
        var control = stackalloc byte[Math.Max(controlLength, 1)];
        new Span<byte>(control, Math.Max(controlLength, 1)).Clear();
        if (!descriptors.IsEmpty)
        {
            var header = (CmsgHdr*)control;
            header->Length = (nuint)(HeaderSize + descriptors.Length * sizeof(int));
            header->Level = SolSocket;
            header->Type = ScmRightsType;
            descriptors.CopyTo(new Span<int>(control + HeaderSize, descriptors.Length));
        }

        fixed (byte* data = payload)
        {
            var iov = new IoVec { Base = data, Length = (nuint)payload.Length };
            var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = controlLength == 0 ? null : control, ControlLength = (nuint)controlLength };
            while (true)
            {
                var sent = sendmsg(Fd(socket), &message, MsgNosignal | MsgDontwait);
                if (sent >= 0) return;
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Eintr) continue;
                if (errno != Eagain) throw new Win32Exception(errno, $"sendmsg failed: errno {errno}");
                if (!socket.Poll(timeout, SelectMode.SelectWrite)) throw new TimeoutException("the other process did not take the message");
            }
        }
    }

    /// <summary>
    /// Receives one message into <paramref name="buffer"/>; returns its length (0: the other side closed) and adds the
    /// descriptors that came with it (close-on-exec, so no child process inherits them) to <paramref name="descriptors"/>.
    /// </summary>
    public static int Receive(Socket socket, Span<byte> buffer, List<int> descriptors, TimeSpan timeout)
    {
        var controlLength = Space(MaxDescriptors * sizeof(int));
        var control = stackalloc byte[controlLength];
        fixed (byte* data = buffer)
        {
            while (true)
            {
                new Span<byte>(control, controlLength).Clear();
                var iov = new IoVec { Base = data, Length = (nuint)buffer.Length };
                var message = new MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)controlLength };
                var received = recvmsg(Fd(socket), &message, MsgCmsgCloexec | MsgDontwait);
                if (received < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Eintr) continue;
                    if (errno != Eagain) throw new Win32Exception(errno, $"recvmsg failed: errno {errno}");
                    if (!socket.Poll(timeout, SelectMode.SelectRead)) throw new TimeoutException("the other process sent nothing in time");
                    continue;
                }

                Collect(&message, descriptors);
                if ((message.Flags & MsgCtrunc) != 0) throw new InvalidOperationException("descriptors were cut off (more than the message had room for)");
                return (int)received;
            }
        }
    }

    /// <summary>
    /// Clears close-on-exec. .NET's Socket.Dispose leaves alone, without shutdown(2), a socket that lacks the flag,
    /// as one another process may share (SafeSocketHandle.Unix, TryUnblockSocket): a listening socket this process
    /// handed over or was handed must only ever be closed here, never shut down for both.
    /// </summary>
    public static void MarkShared(int descriptor)
    {
        var flags = fcntl(descriptor, FGetfd, 0);
        if (flags >= 0) fcntl(descriptor, FSetfd, flags & ~FdCloexec);
    }

    private static void Collect(MsgHdr* message, List<int> descriptors)
    {
        var control = (byte*)message->Control;
        var length = (int)message->ControlLength;
        var offset = 0;
        while (offset + HeaderSize <= length)
        {
            var header = (CmsgHdr*)(control + offset);
            var size = (int)header->Length;
            if (size < HeaderSize) break;
            if (header->Level == SolSocket && header->Type == ScmRightsType)
            {
                var count = (size - HeaderSize) / sizeof(int);
                var fds = (int*)(control + offset + HeaderSize);
                for (var i = 0; i < count; i++) descriptors.Add(fds[i]);
            }

            offset += Align(size);
        }
    }

    private static int Fd(Socket socket) => (int)socket.SafeHandle.DangerousGetHandle();

    // CMSG_SPACE and CMSG_ALIGN: the data after the header, padded to the size of a size_t.
    private static int Space(int dataLength) => HeaderSize + Align(dataLength);

    private static int Align(int length) => (length + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1);

    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

#pragma warning disable SYSLIB1054 // LibraryImport's generated stubs buy nothing for three blittable calls.
    [DllImport("libc", SetLastError = true)]
    private static extern nint sendmsg(int socket, MsgHdr* message, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern nint recvmsg(int socket, MsgHdr* message, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int descriptor, int command, int argument);
#pragma warning restore SYSLIB1054
}
