namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>
/// A connection after a 101: the relayed protocol's bytes both ways, those the client sent behind its request head
/// first. The backend leg's relay (<see cref="BackendHttp.UpgradeRelay"/>) reads and writes it; the connection closes
/// when the request's handler returns.
/// </summary>
internal sealed class Http1Tunnel(Http1Connection connection) : Stream
{
    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return new ValueTask<int>(0);
        if (connection.Buffered > 0) return new ValueTask<int>(connection.Take(buffer.Span));
        return connection.ReadDirectAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        connection.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("synchronous reads are not allowed");
    public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("synchronous writes are not allowed");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
