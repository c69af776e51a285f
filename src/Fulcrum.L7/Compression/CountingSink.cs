namespace Fulcrum.L7.Compression;

/// <summary>
/// The stream an encoder writes into: passes the encoded bytes to the client and counts them (the access log's
/// bytes_out is what the client got). Once <see cref="Discard"/> is set it drops writes, so an encoder can be
/// let go of after the client left without writing into a dead connection.
/// </summary>
internal sealed class CountingSink(Stream client) : Stream
{
    public long Written { get; private set; }

    public bool Discard { get; set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (Discard) return;
        // Not taken against Kestrel's body, which refuses synchronous writes: encoders are driven only through their
        // asynchronous methods (WriteAsync, FlushAsync, DisposeAsync), which write here asynchronously.
        client.Write(buffer);
        Written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Discard) return ValueTask.CompletedTask;
        Written += buffer.Length;
        return client.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush()
    {
        if (!Discard) client.Flush();
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Discard ? Task.CompletedTask : client.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
