using System.Buffers;
using System.IO.Compression;

namespace Fulcrum.L7.Compression;

/// <summary>
/// Brotli with a window of the route's choosing, which <see cref="BrotliStream"/> does not offer (it always takes 4 MiB,
/// lgwin 22). Fulcrum uses 512 KiB (lgwin 19), nginx's brotli filter's default `brotli_window`: each response being
/// encoded holds its window, so with many at once the window is most of the memory compression costs, and answers of a
/// few hundred KiB gain next to nothing from a larger one. Write-only and asynchronous, like the body it writes into.
/// </summary>
internal sealed class BrotliEncoderStream : Stream
{
    /// <summary>lgwin 19: a 512 KiB window.</summary>
    public const int WindowBits = 19;

    private const int ChunkSize = 16 * 1024;

    private readonly Stream _sink;
    private BrotliEncoder _encoder;
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);

    public BrotliEncoderStream(Stream sink, int quality)
    {
        _sink = sink;
        _encoder = new BrotliEncoder(quality, WindowBits);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        while (!source.IsEmpty)
        {
            var (_, consumed, written) = Compress(source, final: false);
            source = source[consumed..];
            if (written > 0) await _sink.WriteAsync(_buffer.AsMemory(0, written), cancellationToken);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Emits what the encoder holds so the client can decode everything written so far (BROTLI_OPERATION_FLUSH).</summary>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        OperationStatus status;
        do
        {
            status = _encoder.Flush(_buffer, out var written);
            if (status == OperationStatus.InvalidData) throw new InvalidOperationException("the Brotli encoder refused to flush");
            if (written > 0) await _sink.WriteAsync(_buffer.AsMemory(0, written), cancellationToken);
        }
        while (status == OperationStatus.DestinationTooSmall);
    }

    /// <summary>Ends the stream (the last meta-block) into the sink, then lets go of the encoder.</summary>
    public override async ValueTask DisposeAsync()
    {
        if (_buffer is null) return;
        try
        {
            OperationStatus status;
            do
            {
                (status, _, var written) = Compress(ReadOnlyMemory<byte>.Empty, final: true);
                if (written > 0) await _sink.WriteAsync(_buffer.AsMemory(0, written));
            }
            while (status == OperationStatus.DestinationTooSmall);
        }
        finally
        {
            Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Release();
        base.Dispose(disposing);
    }

    private (OperationStatus Status, int Consumed, int Written) Compress(ReadOnlyMemory<byte> source, bool final)
    {
        var status = _encoder.Compress(source.Span, _buffer, out var consumed, out var written, final);
        if (status == OperationStatus.InvalidData) throw new InvalidOperationException("the Brotli encoder refused its input");
        return (status, consumed, written);
    }

    private void Release()
    {
        if (_buffer is not { } buffer) return;
        _buffer = null;
        _encoder.Dispose();
        ArrayPool<byte>.Shared.Return(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("written asynchronously");
    public override void Flush() => throw new NotSupportedException("flushed asynchronously");
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
