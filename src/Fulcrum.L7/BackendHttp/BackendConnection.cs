using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Fulcrum.Core.IO;
using Fulcrum.L7.Uring;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// One HTTP/1.1 connection to a backend (a socket's stream, or a TLS stream for re-encrypting pools). While a
/// request uses it, it holds a pooled read buffer (<see cref="Buffer"/>, bytes between <see cref="Start"/> and
/// <see cref="End"/> not yet consumed); an idle connection holds none. Its cancellation source bounds each wait on
/// the backend (the pool's request-timeout, re-armed per wait) and is cancelled when the client goes away. On an
/// io_uring loop the stream is a <see cref="UringStream"/>, whose armed receive tells an idle connection's close or
/// unsolicited bytes without the poll a socket needs.
/// </summary>
internal sealed class BackendConnection : IDisposable
{
    /// <summary>The read buffer, which also bounds a response head unless it needs <see cref="MaxHeadSize"/>.</summary>
    public const int BufferSize = 16 * 1024;

    /// <summary>A response head larger than this is refused (502), like nginx's proxy_buffer_size limit.</summary>
    public const int MaxHeadSize = 64 * 1024;

    private readonly ConnectionDeadline _timeout;
    private readonly Socket? _socket;
    private readonly UringStream? _uring;
    private int _disposed;

    /// <param name="stream">The socket's stream, or the TLS stream over it.</param>
    /// <param name="socket">The socket under <paramref name="stream"/>, polled while the connection is idle.</param>
    /// <param name="created">When it was opened (a TimeProvider timestamp).</param>
    /// <param name="time">The clock of the request-timeout (the system's when null).</param>
    public BackendConnection(Stream stream, Socket? socket, long created, TimeProvider? time = null)
    {
        _timeout = new ConnectionDeadline(time ?? TimeProvider.System);
        Stream = stream;
        _socket = socket;
        _uring = stream as UringStream;
        Created = created;
        Ring = _uring is null ? 0 : _uring.Loop.Index + 1;
    }

    /// <summary>Which idle list it goes back to: 0 for .NET's sockets, else 1 + its io_uring loop's index.</summary>
    public int Ring { get; }

    public Stream Stream { get; }
    /// <summary>When it was opened (a TimeProvider timestamp), for the pool's max lifetime.</summary>
    public long Created { get; }
    /// <summary>When it last went idle, for the pool's idle timeout.</summary>
    public long IdleSince { get; set; }
    /// <summary>True when it served a request before: the backend may have closed it while it was idle.</summary>
    public bool Reused { get; set; }

    public byte[] Buffer { get; private set; } = [];
    public int Start;
    public int End;

    /// <summary>Last response value per known header name: a backend repeating a value costs no new string.</summary>
    public readonly string?[] ValueCache = new string?[HeaderNames.Known.Length];

    /// <summary>The request it carries: where it is, for the error it would report.</summary>
    public LegPhase Phase;
    /// <summary>Where the streamed request body is (it is sent while the response is read).</summary>
    public LegPhase SendPhase;
    /// <summary>The request it carries: streamed request body bytes sent.</summary>
    public long Sent;
    /// <summary>The request it carries: response body bytes passed to the client.</summary>
    public long Received;
    /// <summary>The pool's request-timeout: the bound on each wait.</summary>
    public TimeSpan RequestTimeout;
    /// <summary>The backend sent at least one byte for the request it carries.</summary>
    public bool Answered;

    public CancellationToken Token => _timeout.Token;

    public int Buffered => End - Start;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Starts the clock for one wait (a read or a write).</summary>
    public void Arm(TimeSpan timeout)
    {
        if (timeout > TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan) _timeout.Set(timeout);
    }

    /// <summary>Client went away or the connection is abandoned: fail whatever waits on it.</summary>
    public void Cancel() => _timeout.Cancel();

    /// <summary>
    /// True when an idle connection has something to read: bytes the backend sent past its last answer (a body longer
    /// than its Content-Length, which the next request would read as its answer), or its close. Either way it must not
    /// carry another request; nginx closes an idle upstream connection on any read event for the same reason.
    /// </summary>
    public bool HasInputWhileIdle()
    {
        if (_uring is not null) return _uring.HasInput;
        if (_socket is null) return false;
        try
        {
            return _socket.Poll(0, SelectMode.SelectRead);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    /// <summary>Ends what this side sends (a relayed client's half close); a TLS connection is left as it is.</summary>
    public void ShutdownSend()
    {
        try
        {
            if (_uring is not null) _uring.ShutdownSend();
            else if (_socket is not null && Stream is NetworkStream) _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Gone already: the relay's other side sees it.
        }
    }

    /// <summary>Clears the clock for the next request; false when it fired (the connection is then not reusable).</summary>
    public bool TryReset() => _timeout.TryReset();

    public void RentBuffer()
    {
        if (Buffer.Length == 0) Buffer = LoopBuffers.Rent(BufferSize);
        Start = End = 0;
        Answered = false;
    }

    public void ReturnBuffer()
    {
        var buffer = Buffer;
        Buffer = [];
        Start = End = 0;
        if (buffer.Length > 0) LoopBuffers.Return(buffer);
    }

    /// <summary>Reads more bytes after <see cref="End"/>, making room first; 0 at the end of the stream.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> FillAsync(TimeSpan timeout)
    {
        if (Start == End) Start = End = 0;
        if (End == Buffer.Length)
        {
            if (Start > 0)
            {
                Buffer.AsSpan(Start, End - Start).CopyTo(Buffer);
                End -= Start;
                Start = 0;
            }
            else
            {
                if (Buffer.Length >= MaxHeadSize) throw new InvalidDataException("the backend's response head or chunk line is too large");
                var bigger = LoopBuffers.Rent(Math.Min(Buffer.Length * 2, MaxHeadSize));
                Buffer.AsSpan(0, End).CopyTo(bigger);
                LoopBuffers.Return(Buffer);
                Buffer = bigger;
            }
        }

        Arm(timeout);
        var read = await Stream.ReadAsync(Buffer.AsMemory(End), Token).ConfigureAwait(false);
        End += read;
        if (read > 0) Answered = true;
        return read;
    }

    /// <summary>
    /// Closes the connection from a thread-pool item rather than the current stack. The current stack may be inside
    /// the completion of one of this socket's own operations (or a cancellation callback), and closing a socket there
    /// can wait for that very operation: seen as a stalled proxy when many clients left at once.
    /// </summary>
    public void DisposeLater() => ThreadPool.UnsafeQueueUserWorkItem(static c => c.Dispose(), this, preferLocal: false);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        Cancel();
        Stream.Dispose();
        _timeout.Dispose();
        ReturnBuffer();
    }
}
