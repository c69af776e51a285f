using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fulcrum.Bench.Soak;

/// <summary>
/// Paced TCP connections through the tcp listener: read the backend's greeting, send a line, read it echoed, half-close,
/// read the backend's FIN. A stream cannot be replayed, so a failure counts as not idempotent.
/// </summary>
public sealed class TcpLoad(int port, Tally tally, Func<TimeSpan> clock)
{
    private static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(20);

    public async Task RunAsync(int worker, TimeSpan period, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(period);
        var n = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await OneAsync($"ping-{worker}-{++n}\n");
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The load is over.
        }
    }

    private async Task OneAsync(string line)
    {
        var started = clock();
        using var timeout = new CancellationTokenSource(ConnectionTimeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        string? step = "connect";
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
            var buffer = new byte[256];
            step = "greeting";
            var have = await ReadUntilAsync(socket, buffer, 0, b => Array.IndexOf(b, (byte)'\n') >= 0, timeout.Token);
            var greetingEnd = Array.IndexOf(buffer, (byte)'\n', 0, have) + 1;
            var greeting = Encoding.ASCII.GetString(buffer, 0, greetingEnd);
            step = "echo";
            var sent = Encoding.ASCII.GetBytes(line);
            await socket.SendAsync(sent, SocketFlags.None, timeout.Token);
            have = await ReadUntilAsync(socket, buffer, have, _ => false, timeout.Token, greetingEnd + sent.Length);
            var echo = Encoding.ASCII.GetString(buffer, greetingEnd, have - greetingEnd);
            step = "close";
            socket.Shutdown(SocketShutdown.Send);
            var eof = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            step = null;
            if (greeting.StartsWith("tcp-", StringComparison.Ordinal) && echo == line && eof == 0) tally.Succeeded(Channel.Tcp);
            else tally.Failed(Channel.Tcp, idempotent: false, started, $"greeting '{greeting.Trim()}', echo '{echo.Trim()}', {eof} bytes after FIN");
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            tally.Failed(Channel.Tcp, idempotent: false, started, $"{step}: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Reads into <paramref name="buffer"/> from <paramref name="have"/> until <paramref name="done"/> holds or
    /// <paramref name="want"/> bytes are there; the stream ending first is an IOException.</summary>
    private static async Task<int> ReadUntilAsync(Socket socket, byte[] buffer, int have, Func<byte[], bool> done, CancellationToken token, int want = int.MaxValue)
    {
        while (have < want && (have == 0 || !done(buffer)))
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(have), SocketFlags.None, token);
            if (n == 0) throw new IOException($"closed after {have} bytes");
            have += n;
        }

        return have;
    }
}
