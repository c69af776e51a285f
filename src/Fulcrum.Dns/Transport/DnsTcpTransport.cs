using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;

namespace Fulcrum.Dns.Transport;

/// <summary>
/// The TCP side of a dns listener (RFC 7766: a server must take queries over TCP, which is how clients ask again after
/// a truncated UDP answer). Each connection carries two-byte length-prefixed messages (RFC 1035 4.2.2) and closes
/// after <see cref="IdleTimeout"/> without a query; past <see cref="MaxConnections"/> open ones a new one is closed at once.
/// </summary>
internal sealed class DnsTcpTransport(Socket listening, TimeProvider time, Action<string> dropped) : IServerTransport, IDisposable
{
    /// <summary>RFC 7766 6.2.3 asks for idle timeouts "of the order of seconds"; 10 s lets a resolver reuse a connection.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Open connections at most: clients that hold connections open cannot take every file descriptor.</summary>
    public const int MaxConnections = 1024;

    private int _open;

    public ushort DefaultAllowedResponseSize => ushort.MaxValue;
    public bool SupportsMultipleResponses => false;
    public bool AllowTruncatedResponses => false;
    public TransportProtocol TransportProtocol => TransportProtocol.Tcp;
    public TimeProvider Time => time;
    public Action<string> Dropped => dropped;
    public int OpenConnections => Volatile.Read(ref _open);

    /// <summary>The listener bound and started listening already.</summary>
    public void Bind()
    {
    }

    public void Close() => listening.Dispose();

    public void Dispose() => listening.Dispose();

    // Awaited in the library's async void loop: nothing may escape it.
    public async Task<IServerConnection?> AcceptConnectionAsync(CancellationToken token)
    {
        Socket client;
        try
        {
            client = await listening.AcceptAsync(token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            return null;
        }
        catch (SocketException)
        {
            return null;
        }

        if (Interlocked.Increment(ref _open) > MaxConnections)
        {
            Interlocked.Decrement(ref _open);
            dropped("a tcp connection past the limit of open ones");
            client.Dispose();
            return null;
        }

        client.NoDelay = true;
        return new DnsTcpConnection(this, client);
    }

    internal void Closed() => Interlocked.Decrement(ref _open);
}
