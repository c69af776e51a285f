using System.Net.Sockets;
using System.Text;

namespace Fulcrum.Bench.Upgrade;

/// <summary>Reads one line (up to '\n') a byte at a time, so nothing past it is taken from the socket.</summary>
public static class LineReader
{
    public static async Task<string> ReadLineAsync(Socket socket, CancellationToken token)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await socket.ReceiveAsync(one, SocketFlags.None, token) == 0) throw new IOException($"closed after '{line}'");
            if (one[0] == (byte)'\n') return line.ToString();
            line.Append((char)one[0]);
        }
    }
}
