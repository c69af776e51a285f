using System.IO.Pipelines;

namespace Fulcrum.L7.Hosting;

/// <summary>
/// An HTTP/2 connection's transport that can close the way nginx's `lingering_close` does. When Kestrel ends a
/// connection after its GOAWAY, it closes the socket at once; a client that had a request in flight by then (a HEADERS
/// frame sent before it read the GOAWAY) has bytes in the server's receive queue, and closing a socket with unread
/// bytes sends a reset, which can fail that request instead of letting the client retry it elsewhere. Here, Kestrel
/// completing the pipes only marks them done; <see cref="CloseAsync"/> then flushes what Kestrel wrote, reads and drops
/// what the client still sends until it closes its side (or the time is up), and only then completes the pipes beneath.
/// </summary>
internal sealed class LingeringTransport : IDuplexPipe
{
    private readonly IDuplexPipe _inner;
    private readonly Reader _input;
    private readonly Writer _output;

    public LingeringTransport(IDuplexPipe inner)
    {
        _inner = inner;
        _input = new Reader(inner.Input);
        _output = new Writer(inner.Output);
    }

    public PipeReader Input => _input;

    public PipeWriter Output => _output;

    /// <summary>After Kestrel is done with the connection: linger up to <paramref name="linger"/> (zero: none), then complete the pipes beneath.</summary>
    public async Task CloseAsync(TimeSpan linger)
    {
        try
        {
            if (linger > TimeSpan.Zero && _input.Error is null && _output.Error is null)
            {
                await _inner.Output.FlushAsync().ConfigureAwait(false);
                using var time = new CancellationTokenSource(linger);
                while (true)
                {
                    var read = await _inner.Input.ReadAsync(time.Token).ConfigureAwait(false);
                    _inner.Input.AdvanceTo(read.Buffer.End);
                    if (read.IsCompleted || read.IsCanceled) break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            // The time is up, or the connection broke: close it as it is.
        }
        finally
        {
            await _inner.Input.CompleteAsync(_input.Error).ConfigureAwait(false);
            await _inner.Output.CompleteAsync(_output.Error).ConfigureAwait(false);
        }
    }

    private sealed class Reader(PipeReader inner) : PipeReader
    {
        public Exception? Error { get; private set; }

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) => inner.ReadAsync(cancellationToken);

        public override bool TryRead(out ReadResult result) => inner.TryRead(out result);

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        // Kestrel is done reading; the pipe beneath stays open for CloseAsync.
        public override void Complete(Exception? exception = null) => Error = exception;
    }

    private sealed class Writer(PipeWriter inner) : PipeWriter
    {
        public Exception? Error { get; private set; }

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes) => inner.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) =>
            inner.WriteAsync(source, cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        // Kestrel is done writing; the pipe beneath stays open for CloseAsync.
        public override void Complete(Exception? exception = null) => Error = exception;
    }
}
