using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace Fulcrum.Dns.Transport;

/// <summary>
/// One client's TCP connection: reads length-prefixed queries until the client closes, sends garbage (a message too
/// short for a header, or a response) or stays idle past the timeout, then closes. Answers to pipelined queries may be
/// sent out of order (RFC 7766 6.2.1.1 allows it); each goes out whole, one at a time.
/// </summary>
internal sealed class DnsTcpConnection(DnsTcpTransport transport, Socket socket) : IServerConnection
{
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly IPEndPoint _remote = (IPEndPoint)socket.RemoteEndPoint!;
    private readonly IPEndPoint _local = (IPEndPoint)socket.LocalEndPoint!;
    private int _closed;

    public IServerTransport Transport => transport;
    public IPEndPoint RemoteEndPoint => _remote;
    public IPEndPoint LocalEndPoint => _local;
    public bool CanRead => Volatile.Read(ref _closed) == 0;

    public Task<bool> InitializeAsync(CancellationToken token) => Task.FromResult(true);

    public async Task<DnsReceivedRawPackage?> ReceiveAsync(CancellationToken token)
    {
        using var idle = new CancellationTokenSource(DnsTcpTransport.IdleTimeout, transport.Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, idle.Token);
        try
        {
            var prefix = new byte[DnsRawPackage.LENGTH_HEADER_LENGTH];
            if (!await ReadExactlyAsync(prefix, linked.Token).ConfigureAwait(false)) return await CloseAsync(null).ConfigureAwait(false);
            var length = (prefix[0] << 8) | prefix[1];
            if (length < 12) return await CloseAsync("a tcp message shorter than a DNS header").ConfigureAwait(false);
            var buffer = new byte[DnsRawPackage.LENGTH_HEADER_LENGTH + length];
            prefix.CopyTo(buffer, 0);
            if (!await ReadExactlyAsync(buffer.AsMemory(DnsRawPackage.LENGTH_HEADER_LENGTH), linked.Token).ConfigureAwait(false))
                return await CloseAsync("a tcp message cut short").ConfigureAwait(false);
            if ((buffer[DnsRawPackage.LENGTH_HEADER_LENGTH + 2] & 0x80) != 0) return await CloseAsync("a response (QR set), not a query").ConfigureAwait(false);
            return DnsUdpTransport.Package(buffer, _remote, _local, transport.Dropped) ?? await CloseAsync(null).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            return await CloseAsync(null).ConfigureAwait(false);
        }
    }

    public async Task<bool> SendAsync(DnsRawPackage package, CancellationToken token)
    {
        await _sending.WaitAsync(token).ConfigureAwait(false);
        try
        {
            var data = package.ToArraySegment(true);
            await socket.SendAsync(data, SocketFlags.None, token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
        finally
        {
            _sending.Release();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        socket.Dispose();
        transport.Closed();
    }

    private async Task<bool> ReadExactlyAsync(Memory<byte> into, CancellationToken token)
    {
        var read = 0;
        while (read < into.Length)
        {
            var n = await socket.ReceiveAsync(into[read..], SocketFlags.None, token).ConfigureAwait(false);
            if (n == 0) return false;
            read += n;
        }

        return true;
    }

    // An answer being sent goes out whole before the socket closes.
    private async Task<DnsReceivedRawPackage?> CloseAsync(string? reason)
    {
        if (reason is not null) transport.Dropped(reason);
        await _sending.WaitAsync().ConfigureAwait(false);
        try
        {
            Dispose();
        }
        finally
        {
            _sending.Release();
        }

        return null;
    }
}
