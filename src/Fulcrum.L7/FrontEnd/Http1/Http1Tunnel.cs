namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>
/// A connection after a 101: the relayed protocol's bytes both ways, those the client sent behind its request head
/// first. The backend leg's relay (<see cref="BackendHttp.UpgradeRelay"/>) reads and writes it; the connection closes
/// when the request's handler returns.
/// </summary>
internal sealed class Http1Tunnel(Http1Connection connection) : AsyncTunnelStream
{
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return new ValueTask<int>(0);
        if (connection.Buffered > 0) return new ValueTask<int>(connection.Take(buffer.Span));
        return connection.ReadDirectAsync(buffer, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        connection.WriteAsync(buffer, cancellationToken);
}
