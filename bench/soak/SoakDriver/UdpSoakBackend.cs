using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fulcrum.Bench.Soak;

/// <summary>A UDP backend of the `datagram` pool: answers each datagram with "NAME|payload".</summary>
public sealed class UdpSoakBackend : ISoakBackend
{
    private readonly byte[] _prefix;
    private Socket? _socket;

    private UdpSoakBackend(string name, int port)
    {
        Name = name;
        Port = port;
        _prefix = Encoding.ASCII.GetBytes(name + "|");
    }

    public string Name { get; }
    public int Port { get; }
    public Channel[] Channels { get; } = [Channel.Udp];

    public static async Task<UdpSoakBackend> StartAsync(string name, int port)
    {
        var backend = new UdpSoakBackend(name, port);
        await backend.RestartAsync();
        return backend;
    }

    /// <summary>Closes the socket: datagrams to the port now get ICMP port unreachable, as from a crashed server.</summary>
    public Task KillAsync()
    {
        Interlocked.Exchange(ref _socket, null)?.Dispose();
        return Task.CompletedTask;
    }

    public async Task RestartAsync()
    {
        var socket = await Retry.BindSocketAsync(SocketType.Dgram, ProtocolType.Udp, Port);
        _socket = socket;
        _ = LoopAsync(socket);
    }

    public async ValueTask DisposeAsync() => await KillAsync();

    private async Task LoopAsync(Socket socket)
    {
        var buffer = new byte[2048];
        var reply = new byte[2048];
        _prefix.CopyTo(reply, 0);
        while (true)
        {
            try
            {
                var r = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0));
                var n = Math.Min(r.ReceivedBytes, reply.Length - _prefix.Length);
                buffer.AsSpan(0, n).CopyTo(reply.AsSpan(_prefix.Length));
                await socket.SendToAsync(reply.AsMemory(0, _prefix.Length + n), SocketFlags.None, r.RemoteEndPoint);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // ICMP from a client that went away (ConnectionReset on a UDP socket): keep serving.
            }
        }
    }
}
