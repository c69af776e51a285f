using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace Fulcrum.Dns.Transport;

/// <summary>
/// The UDP side of a dns listener, over a socket the listener bound (so port 0 gives a real port), for the library's
/// <see cref="DnsServer"/>, which parses each query, calls the listener, encodes and truncates the answer (TC set past
/// 512 bytes, or past the EDNS payload size: RFC 1035 4.2.1, RFC 6891). Datagrams too short for a header, and
/// responses (QR set: answering them could loop two servers), are dropped before the library sees them.
/// </summary>
internal sealed class DnsUdpTransport(Socket socket, Action<string> dropped) : IServerTransport, IDisposable
{
    /// <summary>RFC 6891 6.2.5: 4096 bytes is the usual largest EDNS query a server is asked to take.</summary>
    private const int MaxQuery = 4096;

    private readonly IPEndPoint _local = (IPEndPoint)socket.LocalEndPoint!;

    public ushort DefaultAllowedResponseSize => 512;
    public bool SupportsMultipleResponses => false;
    public bool AllowTruncatedResponses => true;
    public TransportProtocol TransportProtocol => TransportProtocol.Udp;

    /// <summary>The listener bound the socket already.</summary>
    public void Bind()
    {
    }

    public void Close() => socket.Dispose();

    public void Dispose() => socket.Dispose();

    // The library awaits this in an async void loop: an exception escaping it would end the process, so none does.
    public async Task<IServerConnection?> AcceptConnectionAsync(CancellationToken token)
    {
        var buffer = new byte[DnsRawPackage.LENGTH_HEADER_LENGTH + MaxQuery];
        SocketReceiveFromResult received;
        try
        {
            var any = _local.AddressFamily == AddressFamily.InterNetwork ? new IPEndPoint(IPAddress.Any, 0) : new IPEndPoint(IPAddress.IPv6Any, 0);
            received = await socket.ReceiveFromAsync(buffer.AsMemory(DnsRawPackage.LENGTH_HEADER_LENGTH), SocketFlags.None, any, token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            await Stopped(token).ConfigureAwait(false);
            return null;
        }
        catch (SocketException)
        {
            // An ICMP error for an earlier answer, or the like: the socket still serves.
            return null;
        }

        var remote = (IPEndPoint)received.RemoteEndPoint;
        if (received.ReceivedBytes < 12)
        {
            dropped("a datagram shorter than a DNS header");
            return null;
        }

        if ((buffer[DnsRawPackage.LENGTH_HEADER_LENGTH + 2] & 0x80) != 0)
        {
            dropped("a response (QR set), not a query");
            return null;
        }

        buffer[0] = (byte)(received.ReceivedBytes >> 8);
        buffer[1] = (byte)received.ReceivedBytes;
        return Package(buffer, remote, _local, dropped) is { } package ? new DnsUdpExchange(this, package, socket) : null;
    }

    /// <summary>
    /// The library reads the header and the question as it wraps the bytes, and throws whatever its parser throws on
    /// garbage (NotSupportedException for an unknown label type, IndexOutOfRange for a name past the end...). This is
    /// the one place a query is taken in, so everything it throws is caught here and the bytes dropped.
    /// </summary>
    public static DnsReceivedRawPackage? Package(byte[] buffer, IPEndPoint remote, IPEndPoint local, Action<string> dropped)
    {
        try
        {
            return new DnsReceivedRawPackage(buffer, remote, local);
        }
        catch (Exception e)
        {
            dropped($"a message that does not parse: {e.Message}");
            return null;
        }
    }

    // A closed socket fails every receive at once: wait for the stop that closed it rather than spin the library's loop.
    private static async Task Stopped(CancellationToken token)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
