using System.Net.Sockets;
using System.Text;

namespace Fulcrum.L4.Tests.Support;

internal static class SocketIo
{
    public static async Task SendAsync(this Socket s, string text) =>
        await s.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None);

    /// <summary>Reads until the peer's FIN; returns everything read.</summary>
    public static async Task<byte[]> ReadToEndAsync(this Socket s)
    {
        var all = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await s.ReceiveAsync(buffer, SocketFlags.None)) > 0) all.Write(buffer, 0, n);
        return all.ToArray();
    }

    public static async Task<byte[]> ReadExactlyAsync(this Socket s, int count)
    {
        var buffer = new byte[count];
        var got = 0;
        while (got < count)
        {
            var n = await s.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None);
            if (n == 0) throw new IOException($"closed after {got} of {count} bytes");
            got += n;
        }

        return buffer;
    }

    /// <summary>True when the peer closed (FIN or reset) rather than sent data.</summary>
    public static async Task<bool> IsClosedAsync(this Socket s)
    {
        try
        {
            return await s.ReceiveAsync(new byte[1], SocketFlags.None) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }
}
