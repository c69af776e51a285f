using System.Net.Sockets;
using System.Text;

namespace Fulcrum.L7.Tests.Support;

/// <summary>Reads on a raw client socket, for tests that watch what a listener sends before it closes.</summary>
public static class RawSocket
{
    /// <summary>
    /// Everything the listener sends until it closes (a reset is a close too); bounded by <see cref="Poll.Deadline"/>,
    /// so a listener that hangs fails the test instead.
    /// </summary>
    public static async Task<string> ReadToCloseAsync(Socket socket)
    {
        using var deadline = new CancellationTokenSource(Poll.Deadline);
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (true)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
            }
            catch (SocketException)
            {
                return received.ToString();
            }

            if (n == 0) return received.ToString();
            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
    }
}
