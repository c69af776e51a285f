namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// A WebSocket's stream after its 200 (RFC 8441): the client's DATA are read as the tunnel's bytes (its END_STREAM reads
/// as the end), and what is written goes out as DATA within the stream's windows (each write pushes its frames). The
/// backend leg's relay (<see cref="BackendHttp.UpgradeRelay"/>) reads and writes it; the stream ends when the request's
/// handler returns.
/// </summary>
internal sealed class Http2Tunnel(Http2Stream stream) : AsyncTunnelStream
{
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        stream.Body.ReadAsync(buffer, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        stream.Response.WriteAsync(buffer, cancellationToken);
}
