using System.Net;
using System.Net.Sockets;

namespace Fulcrum.Observability.Tests.Support;

/// <summary>A UDP backend on 127.0.0.1 that sends every datagram back as it came.</summary>
public sealed class UdpEcho : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public UdpEcho()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Address = $"127.0.0.1:{((IPEndPoint)_socket.LocalEndPoint!).Port}";
        _ = LoopAsync();
    }

    public string Address { get; }

    public void Dispose() => _socket.Dispose();

    private async Task LoopAsync()
    {
        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        try
        {
            while (true)
            {
                var got = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, from);
                await _socket.SendToAsync(buffer.AsMemory(0, got.ReceivedBytes), SocketFlags.None, got.RemoteEndPoint);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // disposed: the test is over
        }
    }
}
