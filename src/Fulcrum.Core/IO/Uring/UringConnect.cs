using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace Fulcrum.Core.IO.Uring;

/// <summary>
/// Connects a socket with IORING_OP_CONNECT on the calling loop's ring, so a connection that began on a loop (accepted
/// there) reaches its backend without the runtime's epoll thread and a thread-pool hop: the continuation runs on the
/// loop when the connect completes. One per connect; the loop's thread only.
/// </summary>
internal sealed unsafe class UringConnect : IUringTarget, IUringWork, IValueTaskSource
{
    private const int KindConnect = 0;
    private const int KindCancel = 1;
    private const int KindNoDelay = 2;

    private readonly UringLoop _loop;
    private readonly CancellationToken _token;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = false };
    private CancellationTokenRegistration _registration;
    private byte* _address;
    private int _slot;
    private int _fd;
    private int _operations;
    private bool _done;

    private UringConnect(UringLoop loop, CancellationToken token)
    {
        _loop = loop;
        _token = token;
    }

    /// <summary>
    /// Throws SocketException when the connect fails, OperationCanceledException when <paramref name="token"/> fires
    /// first. <paramref name="loop"/> must be the calling thread's.
    /// </summary>
    public static ValueTask ConnectAsync(UringLoop loop, Socket socket, IPEndPoint endpoint, CancellationToken token) =>
        ConnectAsync(loop, (int)socket.SafeHandle.DangerousGetHandle(), endpoint, noDelay: false, token);

    /// <summary>
    /// Connects the descriptor <paramref name="fd"/> (a TCP socket of the endpoint's family); with
    /// <paramref name="noDelay"/> it sets TCP_NODELAY first, in the same submission where the kernel allows it.
    /// </summary>
    public static ValueTask ConnectAsync(UringLoop loop, int fd, IPEndPoint endpoint, bool noDelay, CancellationToken token)
    {
        if (!loop.IsCurrent) throw new InvalidOperationException("a ring connect starts on its loop's thread");
        var connect = new UringConnect(loop, token);
        connect.Submit(fd, endpoint, noDelay);
        // The timer's thread posts the cancel: a single-issuer ring takes submissions from its own thread only.
        if (token.CanBeCanceled) connect._registration = token.UnsafeRegister(static c => ((UringConnect)c!).PostCancel(), connect);
        return new ValueTask(connect, connect._core.Version);
    }

    private void Submit(int fd, IPEndPoint endpoint, bool noDelay)
    {
        // Read by the kernel when the ops are issued, which may be after this returns: native memory, freed on the
        // connect's completion. The address, then the option's value.
        _address = (byte*)NativeMemory.Alloc(SockAddr.MaxLength + sizeof(int));
        var length = SockAddr.Write(endpoint, _address);
        _slot = _loop.Register(this);
        _fd = fd;
        if (noDelay)
        {
            if (UringFeatures.SetSockOpt) SubmitNoDelay(fd);
            else SetNoDelay(fd);
        }

        var sqe = _loop.Ring.NextSqe();
        sqe->Opcode = UringNative.OpConnect;
        sqe->Fd = fd;
        sqe->Addr = (ulong)_address;
        // connect's addrlen rides in the offset field.
        sqe->Off = (ulong)length;
        sqe->UserData = UserData(KindConnect);
        _operations++;
    }

    /// <summary>
    /// setsockopt(TCP_NODELAY) as IORING_OP_URING_CMD, issued before the connect that follows it (a ring issues in
    /// order, and this one never waits); not linked, so that a kernel that refuses it does not fail the connect.
    /// </summary>
    private void SubmitNoDelay(int fd)
    {
        var value = (int*)(_address + SockAddr.MaxLength);
        *value = 1;
        var sqe = _loop.Ring.NextSqe();
        sqe->Opcode = UringNative.OpUringCmd;
        sqe->Fd = fd;
        // cmd_op in the low half of off; level and optname in addr; optlen in file_index; optval in addr3.
        sqe->Off = UringNative.SocketCmdSetSockOpt;
        sqe->Addr = (uint)UringNative.IpProtoTcp | ((ulong)UringNative.TcpNoDelay << 32);
        sqe->SpliceFdIn = sizeof(int);
        sqe->Addr3 = (ulong)value;
        sqe->UserData = UserData(KindNoDelay);
        _operations++;
    }

    private static void SetNoDelay(int fd)
    {
        var one = 1;
        UringNative.SetSockOpt(fd, UringNative.IpProtoTcp, UringNative.TcpNoDelay, &one, sizeof(int));
    }

    private void PostCancel()
    {
        if (_loop.IsCurrent) Run(0);
        else _loop.Post(this, 0);
    }

    public void Run(int what)
    {
        if (_done) return;
        var sqe = _loop.Ring.NextSqe();
        sqe->Opcode = UringNative.OpAsyncCancel;
        sqe->Fd = -1;
        sqe->Addr = UserData(KindConnect);
        sqe->UserData = UserData(KindCancel);
        _operations++;
    }

    private ulong UserData(int kind) => ((ulong)(uint)_slot << 8) | (uint)kind;

    public void OnCompletion(int kind, int res, uint flags)
    {
        _operations--;
        if (kind == KindNoDelay && res < 0)
        {
            // Listed by the probe, refused by this kernel (an older one took SOL_SOCKET options only): the system
            // call from now on, and now for this socket, whose connect may already be under way (the option applies
            // whenever it is set). The connect's completion comes later: the address is still ours.
            UringFeatures.SetSockOpt = false;
            SetNoDelay(_fd);
        }

        if (_operations == 0)
        {
            _loop.Unregister(_slot);
            // The option's value sits behind the address: freed when the last of the ops has completed.
            NativeMemory.Free(_address);
            _address = null;
        }

        if (kind != KindConnect) return;
        _done = true;
        _registration.Unregister();
        if (res == 0) _core.SetResult(true);
        else if (res == -UringNative.ECANCELED && _token.IsCancellationRequested) _core.SetException(new OperationCanceledException(_token));
        else _core.SetException(new SocketException((int)Error(-res)));
    }

    public void OnBuffersAvailable()
    {
    }

    /// <summary>The errno as the runtime's sockets name it, for the log lines that say why a connect failed.</summary>
    private static SocketError Error(int errno) => errno switch
    {
        111 => SocketError.ConnectionRefused,
        110 => SocketError.TimedOut,
        113 => SocketError.HostUnreachable,
        101 => SocketError.NetworkUnreachable,
        104 => SocketError.ConnectionReset,
        99 => SocketError.AddressNotAvailable,
        24 or 23 => SocketError.TooManyOpenSockets,
        _ => SocketError.SocketError,
    };

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
