using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fulcrum.TestSupport.Udp;

/// <summary>
/// A UDP server on 127.0.0.1 that answers each datagram: with "NAME|payload" when it has a name (to tell backends
/// apart), or with the payload as it came (so byte counts are exact).
/// </summary>
public sealed class UdpEchoBackend : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _prefix;
    private int _received;

    public UdpEchoBackend(string? name = null)
    {
        _prefix = name is null ? [] : Encoding.ASCII.GetBytes(name + "|");
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Endpoint = (IPEndPoint)_socket.LocalEndPoint!;
        _ = LoopAsync();
    }

    public IPEndPoint Endpoint { get; }
    public string Address => $"127.0.0.1:{Endpoint.Port}";
    public int Received => Volatile.Read(ref _received);

    public void Dispose() => _socket.Dispose();

    private async Task LoopAsync()
    {
        var buffer = new byte[70_000];
        while (true)
        {
            try
            {
                var r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0));
                Interlocked.Increment(ref _received);
                byte[] reply = [.. _prefix, .. buffer.AsSpan(0, r.ReceivedBytes)];
                await _socket.SendToAsync(reply, SocketFlags.None, r.RemoteEndPoint);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (e is ObjectDisposedException) return;
            }
        }
    }
}
