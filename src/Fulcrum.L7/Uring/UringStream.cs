using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.IO.Uring;

namespace Fulcrum.L7.Uring;

/// <summary>
/// A connected TCP socket driven by one <see cref="UringLoop"/>, as a Stream (so SslStream can wrap it). Reads come from
/// a multishot receive with provided buffers, armed for the connection's life: bytes wait in the loop's buffers until
/// read (a few at most: past <see cref="MaxQueued"/> the receive is cancelled until the reader catches up), so an idle
/// connection holds no buffer and its close or unsolicited bytes are seen without a system call
/// (<see cref="HasInput"/>). Writes are SENDs from the caller's memory. A call made on the loop's thread submits
/// directly and its continuation runs there when it completes; a call from another thread goes through the loop's
/// inbox. One read and one write may be pending at once, as for any Stream.
/// </summary>
internal sealed class UringStream : Stream, IUringTarget, IUringWork
{
    /// <summary>Received buffers waiting for the reader before the receive is cancelled (each up to 16 KiB).</summary>
    public const int MaxQueued = 4;

    private const int KindReceive = 0;
    private const int KindSend = 1;
    private const int KindConnect = 2;
    private const int KindCancel = 3;

    private const int WorkAttach = 0;
    private const int WorkRead = 1;
    private const int WorkWrite = 2;
    private const int WorkCancelRead = 3;
    private const int WorkCancelWrite = 4;
    private const int WorkClose = 5;
    private const int WorkConnect = 6;

    private static readonly Action<object?> CancelRead = static s => ((UringStream)s!).Post(WorkCancelRead);
    private static readonly Action<object?> CancelWrite = static s => ((UringStream)s!).Post(WorkCancelWrite);

    private readonly UringLoop _loop;
    private readonly Socket _socket;
    private readonly int _fd;
    private readonly UringOperation _read = new();
    private readonly UringOperation _write = new();
    private readonly Queue<(ushort Buffer, int Length)> _received = new();
    private int _headOffset;
    private int _slot = -1;
    private int _operations;
    private bool _armed;
    private bool _cancellingReceive;
    private bool _starving;
    private bool _eof;
    private int _error;
    private bool _closing;
    private bool _closed;
    private int _disposed;
    private volatile bool _hasInput;

    // The pending calls' arguments, set by the caller before the call reaches the loop.
    private Memory<byte> _readInto;
    private ReadOnlyMemory<byte> _writeFrom;
    private MemoryHandle _writePin;
    private int _written;
    // What the write side has in the kernel: a send, or the connect (both complete _write).
    private int _writeKind = KindSend;
    private unsafe byte* _address;
    private int _addressLength;

    private UringStream(UringLoop loop, Socket socket)
    {
        _loop = loop;
        _socket = socket;
        _fd = (int)socket.SafeHandle.DangerousGetHandle();
    }

    /// <summary>Drives a connected socket from <paramref name="loop"/>; the stream owns the socket from here on.</summary>
    public static UringStream Attach(UringLoop loop, Socket socket)
    {
        var stream = new UringStream(loop, socket);
        stream.Post(WorkAttach);
        return stream;
    }

    /// <summary>
    /// Connects a new socket to <paramref name="endpoint"/> with IORING_OP_CONNECT (so the runtime's epoll never learns
    /// of it) and returns its stream. Throws SocketException when refused, OperationCanceledException when
    /// <paramref name="cancellationToken"/> fires first.
    /// </summary>
    public static async ValueTask<UringStream> ConnectAsync(UringLoop loop, IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var stream = new UringStream(loop, socket);
        stream.SetAddress(endpoint);
        try
        {
            stream._write.Begin(cancellationToken);
            if (cancellationToken.CanBeCanceled) stream._write.Registration = cancellationToken.UnsafeRegister(CancelWrite, stream);
            stream.Post(WorkConnect);
            await new ValueTask(stream._write, stream._write.Version).ConfigureAwait(false);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    // The sockaddr IORING_OP_CONNECT reads, in native memory that stays put until the connect completes.
    private unsafe void SetAddress(IPEndPoint endpoint)
    {
        var address = endpoint.Serialize();
        _addressLength = address.Size;
        _address = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc((nuint)address.Size);
        address.Buffer.Span.CopyTo(new Span<byte>(_address, address.Size));
    }

    /// <summary>True when the peer sent bytes nobody has read, or closed, or the connection failed: read without a system call.</summary>
    public bool HasInput => _hasInput;

    public UringLoop Loop => _loop;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<int>(cancellationToken);
        if (_loop.IsCurrent && !_closing)
        {
            // The common case: on the loop, and bytes are here already (or the end is).
            if (_received.Count > 0 || _eof || _error != 0) return ReadNow(buffer.Span);
        }
        else if (Volatile.Read(ref _disposed) != 0)
        {
            return ValueTask.FromException<int>(new ObjectDisposedException(nameof(UringStream)));
        }

        _read.Begin(cancellationToken);
        _readInto = buffer;
        if (cancellationToken.CanBeCanceled) _read.Registration = cancellationToken.UnsafeRegister(CancelRead, this);
        var version = _read.Version;
        Post(WorkRead);
        return new ValueTask<int>(_read, version);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        if (buffer.IsEmpty) return ValueTask.CompletedTask;
        if (Volatile.Read(ref _disposed) != 0) return ValueTask.FromException(new ObjectDisposedException(nameof(UringStream)));
        _write.Begin(cancellationToken);
        _writeFrom = buffer;
        _writePin = buffer.Pin();
        _written = 0;
        if (cancellationToken.CanBeCanceled) _write.Registration = cancellationToken.UnsafeRegister(CancelWrite, this);
        var version = _write.Version;
        Post(WorkWrite);
        return new ValueTask(_write, version);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous calls wait for the loop, so they must never run on it (SslStream calls these only for sync callers).
    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_loop.IsCurrent) throw new InvalidOperationException("a synchronous read on the io_uring loop's own thread would never complete");
        return ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (_loop.IsCurrent) throw new InvalidOperationException("a synchronous write on the io_uring loop's own thread would never complete");
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    }

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Sends FIN (the peer reads its end); reads go on. From any thread.</summary>
    public void ShutdownSend() => UringNative.Shutdown(_fd, UringNative.ShutWrite);

    /// <summary>
    /// Cuts the connection: pending calls complete (a read with an error, a write when the kernel gives its send back),
    /// then the socket closes. From any thread; also what Dispose does.
    /// </summary>
    public void Abort() => Dispose();

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        // Wakes the kernel's pending receive and send at once, from any thread; the socket itself closes on the loop
        // once none of its operations is left, since a queued SQE names the fd by number.
        UringNative.Shutdown(_fd, UringNative.ShutRdwr);
        Post(WorkClose);
        base.Dispose(disposing);
    }

    private void Post(int work)
    {
        if (_loop.IsCurrent) Run(work);
        else _loop.Post(this, work);
    }

    // ---- loop thread only below ----

    public void Run(int what)
    {
        switch (what)
        {
            case WorkAttach: Register(); Arm(); break;
            case WorkConnect: Register(); SubmitConnect(); break;
            case WorkRead: StartRead(); break;
            case WorkWrite: SubmitSend(); break;
            case WorkCancelRead:
                if (_read.Pending && _read.Token.IsCancellationRequested) _read.Fail(new OperationCanceledException(_read.Token));
                break;
            case WorkCancelWrite:
                if (_write.Pending && _write.Token.IsCancellationRequested) Cancel(_writeKind, byFd: false);
                break;
            case WorkClose: BeginClose(); break;
        }
    }

    private void Register()
    {
        if (_slot < 0) _slot = _loop.Register(this);
    }

    private ValueTask<int> ReadNow(Span<byte> into)
    {
        if (_received.Count > 0)
        {
            var count = into.Length == 0 ? 0 : Take(into);
            return new ValueTask<int>(count);
        }

        if (_error != 0) return ValueTask.FromException<int>(Error());
        return new ValueTask<int>(0);
    }

    private void StartRead()
    {
        if (!_read.Pending) return;
        if (_closing)
        {
            _read.Fail(new IOException("the connection was aborted", new SocketException((int)SocketError.OperationAborted)));
            return;
        }

        if (_read.Token.IsCancellationRequested)
        {
            _read.Fail(new OperationCanceledException(_read.Token));
            return;
        }

        TryCompleteRead();
        if (_read.Pending) Arm();
    }

    private void TryCompleteRead()
    {
        if (!_read.Pending) return;
        if (Volatile.Read(ref _disposed) != 0)
        {
            // Aborted: the shutdown's end of stream is ours, not the peer's.
            _read.Fail(new IOException("the connection was aborted", new SocketException((int)SocketError.OperationAborted)));
        }
        else if (_received.Count > 0)
        {
            var into = _readInto;
            _readInto = default;
            _read.Succeed(into.Length == 0 ? 0 : Take(into.Span));
        }
        else if (_error != 0)
        {
            _read.Fail(Error());
        }
        else if (_eof)
        {
            _read.Succeed(0);
        }
    }

    // Copies queued bytes out, giving each emptied buffer back to the ring; the receive resumes when it had stopped.
    private unsafe int Take(Span<byte> into)
    {
        var copied = 0;
        var buffers = _loop.Buffers;
        while (copied < into.Length && _received.Count > 0)
        {
            var (buffer, length) = _received.Peek();
            var n = Math.Min(length - _headOffset, into.Length - copied);
            new ReadOnlySpan<byte>(buffers.Address(buffer) + _headOffset, n).CopyTo(into[copied..]);
            copied += n;
            _headOffset += n;
            if (_headOffset == length)
            {
                _received.Dequeue();
                _headOffset = 0;
                _loop.ReturnBuffer(buffer);
            }
        }

        _hasInput = _received.Count > 0 || _eof || _error != 0;
        if (!_armed && _received.Count < MaxQueued) Arm();
        return copied;
    }

    private unsafe void Arm()
    {
        if (_armed || _eof || _error != 0 || _closing || _slot < 0 || _received.Count >= MaxQueued) return;
        if (_loop.Buffers.Available == 0)
        {
            if (!_starving)
            {
                _starving = true;
                _loop.Starve(this);
            }

            return;
        }

        _starving = false;
        var sqe = _loop.Ring.NextSqe();
        sqe->Opcode = UringNative.OpRecv;
        sqe->Fd = _fd;
        sqe->IoPrio = UringNative.RecvMultishot;
        sqe->Flags = UringNative.SqeBufferSelect;
        sqe->BufGroup = _loop.Buffers.Group;
        sqe->UserData = UserData(KindReceive);
        _armed = true;
        _operations++;
    }

    private unsafe void SubmitSend()
    {
        if (!_write.Pending) return;
        if (_closing)
        {
            FailWrite(new IOException("the connection was aborted", new SocketException((int)SocketError.OperationAborted)));
            return;
        }

        var sqe = _loop.Ring.NextSqe();
        sqe->Opcode = UringNative.OpSend;
        sqe->Fd = _fd;
        sqe->Addr = (ulong)((byte*)_writePin.Pointer + _written);
        sqe->Len = (uint)(_writeFrom.Length - _written);
        sqe->OpFlags = UringNative.MsgNoSignal;
        sqe->UserData = UserData(KindSend);
        _operations++;
    }

    private unsafe void SubmitConnect()
    {
        _writeKind = KindConnect;
        var sqe = _loop.Ring.NextSqe();
        sqe->Opcode = UringNative.OpConnect;
        sqe->Fd = _fd;
        sqe->Addr = (ulong)_address;
        // connect's addrlen rides in the offset field.
        sqe->Off = (ulong)_addressLength;
        sqe->UserData = UserData(KindConnect);
        _operations++;
    }

    private unsafe void Cancel(int kind, bool byFd)
    {
        var sqe = _loop.Ring.NextSqe();
        sqe->Opcode = UringNative.OpAsyncCancel;
        if (byFd)
        {
            sqe->Fd = _fd;
            sqe->OpFlags = UringNative.CancelFd | UringNative.CancelAll;
        }
        else
        {
            sqe->Fd = -1;
            sqe->Addr = UserData(kind);
        }

        sqe->UserData = UserData(KindCancel);
        _operations++;
    }

    private ulong UserData(int kind) => ((ulong)(uint)_slot << 8) | (uint)kind;

    public void OnCompletion(int kind, int res, uint flags)
    {
        if ((flags & UringNative.CqeMore) == 0) _operations--;
        switch (kind)
        {
            case KindReceive: OnReceived(res, flags); break;
            case KindSend: OnSent(res); break;
            case KindConnect: OnConnected(res); break;
        }

        if (_closing) TryClose();
    }

    public void OnBuffersAvailable()
    {
        _starving = false;
        Arm();
    }

    private void OnReceived(int res, uint flags)
    {
        if ((flags & UringNative.CqeMore) == 0)
        {
            _armed = false;
            _cancellingReceive = false;
        }

        if ((flags & UringNative.CqeBuffer) != 0)
        {
            var buffer = (ushort)(flags >> UringNative.CqeBufferShift);
            _loop.Buffers.Taken();
            if (res > 0 && !_closing) _received.Enqueue((buffer, res));
            else _loop.ReturnBuffer(buffer);
        }

        if (res == 0) _eof = true;
        else if (res == -UringNative.ENOBUFS) _starving = false; // Arm below starves until buffers come back
        else if (res < 0 && res != -UringNative.ECANCELED && res != -UringNative.EINTR && res != -UringNative.EAGAIN) _error = -res;
        _hasInput = _received.Count > 0 || _eof || _error != 0;

        if (_received.Count >= MaxQueued && _armed && !_cancellingReceive)
        {
            // Backpressure: the reader is behind; stop receiving until it catches up (Take re-arms).
            _cancellingReceive = true;
            Cancel(KindReceive, byFd: false);
        }

        TryCompleteRead();
        if (!_armed) Arm();
    }

    private void OnSent(int res)
    {
        if (!_write.Pending) return;
        if (res > 0)
        {
            _written += res;
            if (_written < _writeFrom.Length)
            {
                SubmitSend();
                return;
            }

            _writePin.Dispose();
            _writeFrom = default;
            _write.Succeed(0);
            return;
        }

        if (res == -UringNative.EINTR || res == -UringNative.EAGAIN)
        {
            SubmitSend();
            return;
        }

        FailWrite(res == -UringNative.ECANCELED && _write.Token.IsCancellationRequested
            ? new OperationCanceledException(_write.Token)
            : new IOException("the connection was aborted", new SocketException(res == -UringNative.ECANCELED ? (int)SocketError.OperationAborted : -res)));
    }

    private unsafe void OnConnected(int res)
    {
        System.Runtime.InteropServices.NativeMemory.Free(_address);
        _address = null;
        _writeKind = KindSend;
        if (res == 0)
        {
            Arm();
            _write.Succeed(0);
            return;
        }

        _write.Fail(res == -UringNative.ECANCELED && _write.Token.IsCancellationRequested
            ? new OperationCanceledException(_write.Token)
            : new SocketException(-res));
    }

    private void FailWrite(Exception error)
    {
        _writePin.Dispose();
        _writeFrom = default;
        _write.Fail(error);
    }

    private Exception Error() => new IOException($"the connection failed: {new SocketException(_error).Message}", new SocketException(_error));

    private void BeginClose()
    {
        if (_closing) return;
        _closing = true;
        _read.Fail(new IOException("the connection was aborted", new SocketException((int)SocketError.OperationAborted)));
        // The shutdown has woken the receive and any send; a connect, or a socket that never connected, needs the cancel.
        if (_operations > 0 && _slot >= 0) Cancel(0, byFd: true);
        TryClose();
    }

    private unsafe void TryClose()
    {
        if (_closed || _operations > 0) return;
        _closed = true;
        while (_received.Count > 0) _loop.ReturnBuffer(_received.Dequeue().Buffer);
        _headOffset = 0;
        if (_write.Pending) FailWrite(new IOException("the connection was aborted", new SocketException((int)SocketError.OperationAborted)));
        if (_address is not null)
        {
            System.Runtime.InteropServices.NativeMemory.Free(_address);
            _address = null;
        }

        if (_slot >= 0) _loop.Unregister(_slot);
        _slot = -1;
        _socket.Dispose();
    }
}
