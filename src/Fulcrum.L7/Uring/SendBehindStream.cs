using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Fulcrum.L7.Uring;

/// <summary>
/// The stream under a front-end connection's SslStream on an io_uring loop: a write of one TLS record copies it into a
/// buffer of the loop's thread and completes at once, while the SEND goes on behind it, the way a write() to a socket
/// returns once the kernel has the bytes. Without it every record's write completes a loop turn later, which makes
/// SslStream allocate two state machines per write and resumes the whole response path (docs/design.md, "The HTTP/1.1
/// front end"). At most one send is in flight: a write while one is waits for it, so records leave in order. A send
/// that fails aborts the connection (its reads fail) and the next write throws. Until <see cref="Enabled"/>, every call
/// passes straight through (the handshake, and HTTP/2, whose writer has its own batching).
/// </summary>
internal sealed class SendBehindStream : Stream, IValueTaskSource
{
    /// <summary>A whole TLS record (16 KiB of plaintext and the record's overhead) fits in one buffer.</summary>
    public const int BufferSize = 17 * 1024;

    /// <summary>Free buffers kept per thread (a loop's): enough for every connection of a busy loop to have a send in flight.</summary>
    private const int MaxFree = 64;

    [ThreadStatic]
    private static Stack<byte[]>? t_free;

    private readonly UringStream _inner;
    private readonly Action _onSent;
    private readonly Lock _lock = new();
    private ManualResetValueTaskSourceCore<bool> _drained = new() { RunContinuationsAsynchronously = false };
    private ConfiguredValueTaskAwaitable.ConfiguredValueTaskAwaiter _sendAwaiter;
    private byte[]? _sending;
    private bool _waiting;
    private Exception? _failure;

    public SendBehindStream(UringStream inner)
    {
        _inner = inner;
        _onSent = OnSent;
    }

    /// <summary>Writes complete at once from here on (set once the handshake is done).</summary>
    public bool Enabled { get; set; }

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(buffer, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!Enabled) return _inner.WriteAsync(buffer, cancellationToken);
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        if (buffer.IsEmpty) return ValueTask.CompletedTask;
        lock (_lock)
        {
            if (_failure is { } failure) return ValueTask.FromException(new IOException("the connection failed", failure));
            if (_sending is null && buffer.Length <= BufferSize)
            {
                Start(buffer.Span);
                return ValueTask.CompletedTask;
            }
        }

        return WriteAfterSendAsync(buffer, cancellationToken);
    }

    // A record larger than a buffer (SslStream never writes one) goes from the caller's memory once the send before it is done.
    private async ValueTask WriteAfterSendAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        await DrainAsync();
        lock (_lock)
        {
            if (_failure is { } failure) throw new IOException("the connection failed", failure);
            if (buffer.Length <= BufferSize)
            {
                Start(buffer.Span);
                return;
            }
        }

        await _inner.WriteAsync(buffer, cancellationToken);
    }

    /// <summary>Completes when no send is in flight (before the connection sends FIN or closes).</summary>
    public ValueTask DrainAsync()
    {
        lock (_lock)
        {
            if (_sending is null) return ValueTask.CompletedTask;
            _drained.Reset();
            _waiting = true;
            return new ValueTask(this, _drained.Version);
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => DrainAsync().AsTask();

    public override void Flush()
    {
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // SslStream calls the synchronous ones only for synchronous callers, which the front end never is.
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        // A buffer in flight goes back when its send completes (the abort makes it complete).
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

    // Under _lock, with no send in flight.
    private void Start(ReadOnlySpan<byte> record)
    {
        var buffer = Rent();
        record.CopyTo(buffer);
        _sending = buffer;
        var send = _inner.WriteAsync(buffer.AsMemory(0, record.Length), CancellationToken.None);
        _sendAwaiter = send.ConfigureAwait(false).GetAwaiter();
        if (_sendAwaiter.IsCompleted) _ = Sent(); // nobody waits: this call began with no send in flight
        else _sendAwaiter.UnsafeOnCompleted(_onSent);
    }

    // The waiting writer (or close) continues outside the lock.
    private void OnSent()
    {
        bool wake;
        lock (_lock) wake = Sent();
        if (wake) _drained.SetResult(true);
    }

    // Under _lock; returns whether a DrainAsync waits.
    private bool Sent()
    {
        try
        {
            _sendAwaiter.GetResult();
        }
        catch (Exception e)
        {
            _failure = e;
            _inner.Abort();
        }

        _sendAwaiter = default;
        Return(_sending!);
        _sending = null;
        var wake = _waiting;
        _waiting = false;
        return wake;
    }

    private static byte[] Rent() => t_free is { Count: > 0 } free ? free.Pop() : GC.AllocateUninitializedArray<byte>(BufferSize);

    private static void Return(byte[] buffer)
    {
        var free = t_free ??= new Stack<byte[]>(MaxFree);
        if (free.Count < MaxFree) free.Push(buffer);
    }

    void IValueTaskSource.GetResult(short token) => _drained.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _drained.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _drained.OnCompleted(continuation, state, token, flags);
}
