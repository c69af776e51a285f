using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fulcrum.Bench.Upgrade;

/// <summary>
/// Paced new connections, each used once: an HTTP/1.1 request with `Connection: close` to the http listener, or the tcp
/// listener's greeting and one echoed line. A connect that fails with ECONNREFUSED is a refused connection: for a
/// moment no socket listened on that port, which a takeover must never allow.
/// </summary>
public sealed class ConnectionLoad(Channel channel, IPEndPoint endpoint, Tally tally)
{
    private static readonly TimeSpan ConnectionTimeout = TimeSpan.FromSeconds(20);
    private static readonly byte[] Request = Encoding.ASCII.GetBytes("GET /fresh HTTP/1.1\r\nHost: upgrade\r\nConnection: close\r\n\r\n");

    public async Task RunAsync(TimeSpan period, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(period);
        var n = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop)) await OneAsync(++n);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The load is over.
        }
    }

    private async Task OneAsync(int n)
    {
        using var timeout = new CancellationTokenSource(ConnectionTimeout);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            tally.Refuse(channel, $"connect: {e.Message}");
            return;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            tally.Fail(channel, $"connect: {e.Message}");
            return;
        }

        try
        {
            var answer = channel == Channel.HttpConnect ? await HttpAsync(socket, timeout.Token) : await EchoAsync(socket, $"ping-{n}\n", timeout.Token);
            if (answer is null) tally.Succeeded(channel);
            else tally.Fail(channel, answer);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            tally.Fail(channel, $"{e.GetType().Name}: {e.Message}");
        }
    }

    // Null when the answer is right, else what was wrong with it.
    private static async Task<string?> HttpAsync(Socket socket, CancellationToken token)
    {
        await socket.SendAsync(Request, SocketFlags.None, token);
        var text = Encoding.ASCII.GetString(await ReadToEndAsync(socket, token));
        var body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return text.StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal) && body > 0 && text.IndexOf("web-", body, StringComparison.Ordinal) > 0
            ? null
            : $"answer '{(text.Length > 80 ? text[..80] : text)}'";
    }

    private static async Task<string?> EchoAsync(Socket socket, string line, CancellationToken token)
    {
        var greeting = await LineReader.ReadLineAsync(socket, token);
        if (greeting != "tcp-1") return $"greeting '{greeting}'";
        await socket.SendAsync(Encoding.ASCII.GetBytes(line), SocketFlags.None, token);
        var echo = await LineReader.ReadLineAsync(socket, token);
        if (echo + "\n" != line) return $"echo '{echo}' for '{line.Trim()}'";
        socket.Shutdown(SocketShutdown.Send);
        var rest = await ReadToEndAsync(socket, token);
        return rest.Length == 0 ? null : $"{rest.Length} bytes after the echo";
    }

    private static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken token)
    {
        var all = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, token)) > 0) all.Write(buffer, 0, n);
        return all.ToArray();
    }
}
