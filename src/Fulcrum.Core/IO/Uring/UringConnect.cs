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

    private readonly UringLoop _loop;
    private readonly CancellationToken _token;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = false };
    private CancellationTokenRegistration _registration;
    private byte* _address;
    private int _slot;
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
    public static ValueTask ConnectAsync(UringLoop loop, Socket socket, IPEndPoint endpoint, CancellationToken token)
    {
        if (!loop.IsCurrent) throw new InvalidOperationException("a ring connect starts on its loop's thread");
        var connect = new UringConnect(loop, token);
        connect.Submit((int)socket.SafeHandle.DangerousGetHandle(), endpoint);
        // The timer's thread posts the cancel: a single-issuer ring takes submissions from its own thread only.
        if (token.CanBeCanceled) connect._registration = token.UnsafeRegister(static c => ((UringConnect)c!).PostCancel(), connect);
        return new ValueTask(connect, connect._core.Version);
    }

    private void Submit(int fd, IPEndPoint endpoint)
    {
        var address = endpoint.Serialize();
        // Read by the kernel when the connect starts, which may be after this returns: native memory, freed on completion.
        _address = (byte*)NativeMemory.Alloc((nuint)address.Size);
        address.Buffer.Span.CopyTo(new Span<byte>(_address, address.Size));
        _slot = _loop.Register(this);
        var sqe = _loop.Ring.NextSqe();
        sqe->Opcode = UringNative.OpConnect;
        sqe->Fd = fd;
        sqe->Addr = (ulong)_address;
        // connect's addrlen rides in the offset field.
        sqe->Off = (ulong)address.Size;
        sqe->UserData = UserData(KindConnect);
        _operations++;
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
        if (_operations == 0) _loop.Unregister(_slot);
        if (kind != KindConnect) return;
        _done = true;
        NativeMemory.Free(_address);
        _address = null;
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
