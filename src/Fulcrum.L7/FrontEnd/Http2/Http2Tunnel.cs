namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// A WebSocket's stream after its 200 (RFC 8441): the client's DATA are read as the tunnel's bytes (its END_STREAM reads
/// as the end), and what is written goes out as DATA within the stream's windows. The backend leg's relay
/// (<see cref="BackendHttp.UpgradeRelay"/>) reads and writes it; the stream ends when the request's handler returns.
/// </summary>
internal sealed class Http2Tunnel(Http2Stream stream) : Stream
{
    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        stream.Body.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await stream.Response.WriteAsync(buffer, cancellationToken);
        // DATA collect in the stream's buffer until pushed; a relay's write is a message the client waits for.
        await stream.Response.FlushAsync(cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => stream.Response.FlushAsync(cancellationToken);
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("synchronous reads are not allowed");
    public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("synchronous writes are not allowed");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
