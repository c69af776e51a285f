using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Proxy;
using Fulcrum.L4.Tls;

namespace Fulcrum.L4.Tcp;

/// <summary>
/// What the first bytes of a connection said: the real client (from a PROXY header), the pool (from SNI),
/// and which of the bytes read must still go to the backend. A rejection closes the connection.
/// The inspect-timeout is enforced by the sweeper closing the socket under the pending read.
/// </summary>
internal readonly record struct ConnectionInspection(
    IPEndPoint? Source,
    IPEndPoint? Destination,
    string? Pool,
    int ForwardOffset,
    int ForwardLength,
    string? Rejection)
{
    public static readonly ConnectionInspection None = default;

    public static async Task<ConnectionInspection> ReadAsync(Socket client, ListenerConfig listener, SniRouter? sni, byte[] buffer)
    {
        var filled = 0;
        var proxyDone = !listener.AcceptProxy;
        ProxyHeader proxy = default;
        while (true)
        {
            if (filled == buffer.Length) return Reject("first bytes too long");
            var n = await client.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None).ConfigureAwait(false);
            if (n == 0) return Reject("closed before the first bytes were complete");
            filled += n;

            if (!proxyDone)
            {
                switch (ProxyHeaderReader.TryParse(buffer.AsSpan(0, filled), out proxy))
                {
                    case ProxyParseStatus.NeedMore:
                        continue;
                    case ProxyParseStatus.Invalid:
                        return Reject("malformed PROXY header");
                }

                proxyDone = true;
            }

            var start = proxy.Length;
            string? pool = null;
            if (sni is not null)
            {
                if (filled == start) continue;
                var status = ClientHelloReader.TryRead(buffer.AsSpan(start, filled - start), out var serverName);
                if (status == ClientHelloStatus.NeedMore) continue;
                if (status == ClientHelloStatus.Invalid) return Reject("not a TLS ClientHello");
                pool = sni.Route(serverName);
                if (pool is null) return Reject($"no sni route for '{serverName}'");
            }

            return new ConnectionInspection(proxy.Source, proxy.Destination, pool, start, filled - start, null);
        }
    }

    private static ConnectionInspection Reject(string reason) => new(null, null, null, 0, 0, reason);
}
