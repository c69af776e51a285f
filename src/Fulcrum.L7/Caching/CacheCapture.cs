using System.Buffers;

namespace Fulcrum.L7.Caching;

/// <summary>
/// The stream over the response body that passes every byte on and keeps a copy for the store, up to the cache's
/// `max-object-size`: past that it lets the copy go and only passes bytes on, so a large body streams through
/// without being held. The cache's own fetches (<see cref="CacheFetch"/>) have no client to pass the bytes to, so
/// they <paramref name="stopAtLimit"/>: the copy fails there and the backend's answer is abandoned, not read to its end.
/// </summary>
internal sealed class CacheCapture(Stream inner, long limit, bool stopAtLimit = false) : Stream
{
    private ArrayBufferWriter<byte>? _copy = new(4096);

    /// <summary>False once the body outgrew the limit.</summary>
    public bool Complete => _copy is not null;

    public byte[] Body => _copy is { } copy ? copy.WrittenSpan.ToArray() : [];

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (_copy is not { } copy) return;
        if (copy.WrittenCount + bytes.Length > limit)
        {
            _copy = null;
            if (stopAtLimit) throw new IOException("the response is larger than the cache's max-object-size");
            return;
        }

        copy.Write(bytes);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Keep(buffer.AsSpan(offset, count));
        inner.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Keep(buffer);
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Keep(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
