using System.Net;
using System.Net.Sockets;

namespace Fulcrum.Tests.Gslb;

/// <summary>
/// A site as a dns record sees it: a TCP port on its own loopback address (127.0.0.2, .3 ...: Linux answers the whole
/// 127/8), so each site's address shows apart in an answer. It accepts and closes, which passes a `type: tcp` check;
/// <see cref="Kill"/> closes the port, so the next check is refused.
/// </summary>
public sealed class Site : IDisposable
{
    private readonly Socket _listener;

    public Site(string address)
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        _listener.Listen(64);
        Endpoint = (IPEndPoint)_listener.LocalEndPoint!;
        _ = AcceptAsync();
    }

    public IPEndPoint Endpoint { get; }

    public string Ip => Endpoint.Address.ToString();

    public void Kill() => _listener.Dispose();

    public void Dispose() => _listener.Dispose();

    private async Task AcceptAsync()
    {
        try
        {
            while (true) (await _listener.AcceptAsync()).Dispose();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Killed.
        }
    }
}
