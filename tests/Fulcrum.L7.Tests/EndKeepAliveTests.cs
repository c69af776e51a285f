using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests;

/// <summary>
/// The drain's early close (`shutdown.accept-grace`: before a virtual IP moves or an anycast route is withdrawn): idle
/// keep-alive connections close at once, but a connection whose first request has not arrived yet is answered, with
/// `Connection: close`, instead of being closed under a request that is likely on the wire.
/// </summary>
public sealed class EndKeepAliveTests
{
    [Fact]
    public async Task EndKeepAlive_ClosesAnIdleKeepAliveConnection_ButAnswersOneWhoseFirstRequestIsStillToCome()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")), Pool("app", backends.All)));
        var stats = proxy.Store.Listeners.For("web");
        using var served = await ConnectAsync(proxy);
        await served.SendAsync(Request("keep-alive"));
        Assert.StartsWith("HTTP/1.1 200", await ReadResponseAsync(served));
        using var fresh = await ConnectAsync(proxy);
        await Poll.UntilAsync(() => stats.ActiveConnections == 2, "the listener holds both connections");

        proxy.Plane.EndKeepAlive();

        Assert.Equal("", await RawSocket.ReadToCloseAsync(served));
        await fresh.SendAsync(Request("keep-alive"));
        var answer = await RawSocket.ReadToCloseAsync(fresh);
        Assert.StartsWith("HTTP/1.1 200", answer);
        Assert.Contains("Connection: close", answer, StringComparison.OrdinalIgnoreCase);
    }

    private static byte[] Request(string connection) => Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: a\r\nConnection: {connection}\r\n\r\n");

    private static async Task<Socket> ConnectAsync(ProxyHarness proxy)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, proxy.Url().Port);
        return socket;
    }

    // One response with a Content-Length body (the test backend's), without waiting for the connection to close.
    private static async Task<string> ReadResponseAsync(Socket socket)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (true)
        {
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            if (n == 0) return received.ToString();
            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
            var text = received.ToString();
            var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headEnd < 0) continue;
            var lengthLine = text[..headEnd].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            if (lengthLine is not null && text.Length - headEnd - 4 >= int.Parse(lengthLine.Split(':')[1].Trim())) return text;
        }
    }
}
