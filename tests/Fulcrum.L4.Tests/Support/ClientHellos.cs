using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Fulcrum.L4.Tests.Support;

internal static class ClientHellos
{
    /// <summary>A real ClientHello record as .NET's TLS client sends it for <paramref name="serverName"/>.</summary>
    public static async Task<byte[]> CaptureAsync(string serverName)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        using var server = await listener.AcceptAsync();
        var tls = new SslStream(new NetworkStream(client, ownsSocket: false));
        var handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });

        var head = await server.ReadExactlyAsync(5);
        var length = (head[3] << 8) | head[4];
        var body = await server.ReadExactlyAsync(length);
        client.Dispose();
        try
        {
            await handshake;
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
        }

        return [.. head, .. body];
    }

    /// <summary>The same handshake message re-cut into TLS records of at most <paramref name="fragment"/> bytes.</summary>
    public static byte[] SplitIntoRecords(byte[] record, int fragment)
    {
        var message = record[5..];
        var output = new List<byte>();
        for (var i = 0; i < message.Length; i += fragment)
        {
            var n = Math.Min(fragment, message.Length - i);
            output.AddRange([record[0], record[1], record[2], (byte)(n >> 8), (byte)n]);
            output.AddRange(message.AsSpan(i, n).ToArray());
        }

        return [.. output];
    }
}
