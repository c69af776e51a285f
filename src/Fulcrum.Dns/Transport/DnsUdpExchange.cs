using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace Fulcrum.Dns.Transport;

/// <summary>One query datagram and its answer, as the library's <see cref="IServerConnection"/>.</summary>
internal sealed class DnsUdpExchange(DnsUdpTransport transport, DnsReceivedRawPackage query, Socket socket) : IServerConnection
{
    public IServerTransport Transport => transport;
    public IPEndPoint RemoteEndPoint => query.RemoteEndpoint;
    public IPEndPoint LocalEndPoint => query.LocalEndpoint;
    public bool CanRead { get; private set; } = true;

    public Task<bool> InitializeAsync(CancellationToken token) => Task.FromResult(true);

    public Task<DnsReceivedRawPackage?> ReceiveAsync(CancellationToken token)
    {
        CanRead = false;
        return Task.FromResult<DnsReceivedRawPackage?>(query);
    }

    public async Task<bool> SendAsync(DnsRawPackage package, CancellationToken token)
    {
        try
        {
            return await socket.SendToAsync(package.ToArraySegment(false), SocketFlags.None, query.RemoteEndpoint, token).ConfigureAwait(false) == package.Length;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
    }
}
