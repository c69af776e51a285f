using System.Buffers;

namespace Fulcrum.L7.Waf;

/// <summary>
/// A request body the WAF read before the backend got any of it: the bytes read (in a pooled buffer), then, when the
/// body was longer than the route inspects, the rest as it arrives. Takes the place of the exchange's body, so the
/// backend leg forwards exactly what the client sent. The buffer goes back to the pool when the body has been read
/// to its end, or when the WAF answered and nobody will read it (<see cref="Release"/>).
/// </summary>
internal sealed class WafBufferedBody : Stream
{
    private byte[]? _buffer;
    private readonly int _length;
    private readonly int _inspected;
    private readonly Stream? _rest;
    private int _position;

    private WafBufferedBody(byte[] buffer, int length, int inspected, Stream? rest)
    {
        _buffer = buffer;
        _length = length;
        _inspected = inspected;
        _rest = rest;
    }

    /// <summary>What the WAF inspects: the bytes read, up to the route's limit.</summary>
    public ReadOnlySpan<byte> Inspected => _buffer.AsSpan(0, _inspected);

    /// <summary>True when the body goes on past what was read.</summary>
    public bool HasMore => _rest is not null;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>
    /// Reads <paramref name="body"/> until it ends or <paramref name="limit"/> bytes and one more have come (so a body
    /// of exactly the limit is not taken for a longer one). <paramref name="declared"/> is its Content-Length, if any.
    /// </summary>
    public static async ValueTask<WafBufferedBody> ReadAsync(Stream body, long limit, long? declared, CancellationToken aborted)
    {
        // Past the limit, one byte more than it says there is more; a declared length within it needs no such byte.
        var most = declared is { } d && d <= limit ? (int)d : (int)Math.Min(limit + 1, declared ?? long.MaxValue);
        var buffer = ArrayPool<byte>.Shared.Rent(declared is not null ? most : Math.Min(most, 16 * 1024));
        var length = 0;
        try
        {
            while (length < most)
            {
                if (length == buffer.Length) buffer = Grow(buffer, Math.Min(most, buffer.Length * 2), length);
                var read = await body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, most) - length), aborted);
                if (read == 0) break;
                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        var more = length > limit || (declared is { } total && total > length);
        return new WafBufferedBody(buffer, length, (int)Math.Min(length, limit), more ? body : null);
    }

    /// <summary>Gives the buffer back when the body will not be forwarded (the WAF answered).</summary>
    public void Release()
    {
        if (_buffer is { } buffer) ArrayPool<byte>.Shared.Return(buffer);
        _buffer = null;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> destination)
    {
        if (FromBuffer(destination) is var copied and > 0) return copied;
        return _rest?.Read(destination) ?? 0;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (FromBuffer(destination.Span) is var copied and > 0) return new(copied);
        return _rest?.ReadAsync(destination, cancellationToken) ?? new(0);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int FromBuffer(Span<byte> destination)
    {
        if (_buffer is null || destination.IsEmpty) return 0;
        var count = Math.Min(destination.Length, _length - _position);
        _buffer.AsSpan(_position, count).CopyTo(destination);
        _position += count;
        if (_position == _length) Release(); // all of it handed on: the pool may have it back
        return count;
    }

    private static byte[] Grow(byte[] buffer, int size, int used)
    {
        var larger = ArrayPool<byte>.Shared.Rent(size);
        buffer.AsSpan(0, used).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }
}
