using System.IO.Compression;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Compression;

/// <summary>
/// The response body as the route's `compress` sends it: what is written is encoded on the way to the client, a block
/// at a time, so a body of any length passes in the encoder's fixed window and buffers, never whole. When the body
/// ends (<see cref="EndAsync"/>) the encoder writes its last block and trailer; when it broke off, <see cref="Abandon"/>
/// lets the encoder's memory go without writing more.
/// </summary>
internal sealed class EncodedBody : Stream
{
    /// <summary>
    /// A write shorter than this means the backend had no more bytes at hand (the backend leg reads up to 16 KiB at
    /// a time): the encoder flushes then, so a slow or streamed answer reaches the client as it comes instead of
    /// waiting in the encoder. Full writes are not flushed, which keeps the ratio of a body that arrives at speed.
    /// </summary>
    public const int FlushBelow = 16 * 1024;

    private readonly CountingSink _sink;
    private readonly Stream _encoder;

    public EncodedBody(Stream client, ContentCoding coding, CompressConfig config)
    {
        _sink = new CountingSink(client);
        _encoder = Create(_sink, coding, config);
    }

    /// <summary>The encoder of <paramref name="coding"/> at the route's level, writing into <paramref name="sink"/>.</summary>
    public static Stream Create(Stream sink, ContentCoding coding, CompressConfig config) => coding switch
    {
        ContentCoding.Gzip => new GZipStream(sink, new ZLibCompressionOptions { CompressionLevel = config.GzipLevel }, leaveOpen: true),
        ContentCoding.Brotli => new BrotliEncoderStream(sink, config.BrotliLevel),
        _ => Zstd(sink, config.ZstdLevel),
    };

    /// <summary>zstd with a 512 KiB window (windowLog 19), as Brotli's (<see cref="BrotliEncoderStream"/>): each response being encoded holds one.</summary>
    private static ZstdSharp.CompressionStream Zstd(Stream sink, int level)
    {
        var zstd = new ZstdSharp.CompressionStream(sink, level, leaveOpen: true);
        zstd.SetParameter(ZstdSharp.Unsafe.ZSTD_cParameter.ZSTD_c_windowLog, BrotliEncoderStream.WindowBits);
        return zstd;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _encoder.WriteAsync(buffer, cancellationToken);
        if (buffer.Length < FlushBelow) await _encoder.FlushAsync(cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => _encoder.FlushAsync(cancellationToken);

    /// <summary>The last block and the trailer (a checksum for gzip) to the client; bytes_out becomes what the client got.</summary>
    public async ValueTask EndAsync(HttpExchange exchange)
    {
        await _encoder.DisposeAsync();
        exchange.Record.BytesOut = _sink.Written;
    }

    /// <summary>The body broke off: the encoder's memory is let go and nothing more is written to the connection.</summary>
    public void Abandon()
    {
        _sink.Discard = true;
        _encoder.Dispose();
    }

    // Kestrel's body refuses synchronous writes, and so does this: every path through it is asynchronous.
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("the response body is written asynchronously");
    public override void Flush() => throw new NotSupportedException("the response body is flushed asynchronously");
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
