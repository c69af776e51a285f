using System.Runtime.InteropServices;

namespace Fulcrum.Core.IO.Uring;

/// <summary>
/// The three io_uring system calls and the few libc calls around them, with the constants this engine uses. Values are
/// the kernel's ABI, from include/uapi/linux/io_uring.h and the x86-64/arm64 generic syscall table (425-427).
/// </summary>
internal static unsafe partial class UringNative
{
    public const long SysSetup = 425;
    public const long SysEnter = 426;
    public const long SysRegister = 427;

    // io_uring_setup flags
    public const uint SetupCqSize = 1u << 3;
    public const uint SetupSubmitAll = 1u << 7;
    public const uint SetupCoopTaskrun = 1u << 8;
    public const uint SetupTaskrunFlag = 1u << 9;
    public const uint SetupSingleIssuer = 1u << 12;
    public const uint SetupDeferTaskrun = 1u << 13;

    // features
    public const uint FeatSingleMmap = 1u << 0;
    public const uint FeatNoDrop = 1u << 1;

    // mmap offsets
    public const long OffSqRing = 0;
    public const long OffCqRing = 0x8000000;
    public const long OffSqes = 0x10000000;

    // sq_flags
    public const uint SqTaskrun = 1u << 1;

    // io_uring_enter flags
    public const uint EnterGetEvents = 1u << 0;

    // opcodes (enum io_uring_op)
    public const byte OpRead = 22;
    public const byte OpAsyncCancel = 14;
    public const byte OpSend = 26;
    public const byte OpRecv = 27;
    public const byte OpSplice = 30;
    public const byte OpConnect = 16;
    public const byte OpAccept = 13;
    public const byte OpClose = 19;
    public const byte OpUringCmd = 46;

    // IORING_OP_URING_CMD on a socket: cmd_op (enum io_uring_socket_op), 6.7+
    public const uint SocketCmdSetSockOpt = 3;

    // sqe flags
    public const byte SqeBufferSelect = 1 << 5;

    // accept ioprio flags
    public const ushort AcceptMultishot = 1 << 0;

    // recv/send ioprio flags
    public const ushort RecvMultishot = 1 << 1;

    // cqe flags
    public const uint CqeBuffer = 1u << 0;
    public const uint CqeMore = 1u << 1;
    public const int CqeBufferShift = 16;

    // async cancel flags
    public const uint CancelAll = 1u << 0;
    public const uint CancelFd = 1u << 1;

    // io_uring_register opcodes
    public const uint RegisterProbe = 8;
    public const uint RegisterPbufRing = 22;

    // errno
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EBUSY = 16;
    public const int EINVAL = 22;
    public const int ENFILE = 23;
    public const int EMFILE = 24;
    public const int ENOBUFS = 105;
    public const int EOPNOTSUPP = 95;
    public const int ECANCELED = 125;

    public const int MsgNoSignal = 0x4000;

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall6(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint addr, nuint length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initval, int flags);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "gettid")]
    public static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    public static partial int Accept4(int fd, nint address, nint addressLength, int flags);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, uint length);

    [LibraryImport("libc", EntryPoint = "getpeername", SetLastError = true)]
    public static partial int GetPeerName(int fd, byte* address, uint* length);

    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    public static partial int GetSockName(int fd, byte* address, uint* length);

    public const int ProtRead = 1;
    public const int ProtWrite = 2;
    public const int MapShared = 0x01;
    public const int MapPopulate = 0x8000;
    public const int EfdCloexec = 0x80000;
    public const int EfdNonblock = 0x800;
    public const int ShutWrite = 1;
    public const int ShutRdwr = 2;
    public const int OCloexec = 0x80000;
    public const int SockCloexec = 0x80000;
    public const int SockStream = 1;
    public const int AfInet = 2;
    public const int AfInet6 = 10;
    public const int IpProtoTcp = 6;
    public const int TcpNoDelay = 1;
    public const int ONonblock = 0x800;
    public const int FGetFl = 3;
    public const int FSetFl = 4;
    public const int FSetPipeSize = 1031;
    public const int FDupFdCloexec = 1030;
    public const uint SpliceMove = 1;

    /// <summary>io_uring_setup(2); the ring's fd, or -errno.</summary>
    public static int Setup(uint entries, UringParams* parameters)
    {
        var r = Syscall6(SysSetup, entries, (long)parameters, 0, 0, 0, 0);
        return r < 0 ? -Marshal.GetLastPInvokeError() : (int)r;
    }

    /// <summary>io_uring_enter(2); how many SQEs were consumed, or -errno.</summary>
    public static int Enter(int ringFd, uint toSubmit, uint minComplete, uint flags)
    {
        var r = Syscall6(SysEnter, ringFd, toSubmit, minComplete, flags, 0, 0);
        return r < 0 ? -Marshal.GetLastPInvokeError() : (int)r;
    }

    /// <summary>io_uring_register(2); 0 or a count on success, -errno on failure.</summary>
    public static int Register(int ringFd, uint opcode, void* arg, uint count)
    {
        var r = Syscall6(SysRegister, ringFd, opcode, (long)arg, count, 0, 0);
        return r < 0 ? -Marshal.GetLastPInvokeError() : (int)r;
    }
}
