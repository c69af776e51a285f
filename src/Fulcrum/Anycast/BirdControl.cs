using System.Net.Sockets;
using System.Text;

namespace Fulcrum.Anycast;

/// <summary>
/// BIRD's control socket, spoken directly (what `birdc` does): a line per command, and a reply of lines that each start
/// with a four-digit code, a `-` when more lines follow and a space on the last (BIRD's doc/reply_codes: 0xxx done,
/// 8xxx run-time errors, 9xxx parse errors). Only `enable NAME` and `disable NAME` are sent, for the static protocol
/// that carries the anycast route.
/// </summary>
internal sealed class BirdControl(string socketPath, TimeSpan timeout)
{
    public string SocketPath { get; } = socketPath;

    /// <summary>Runs one command; null when BIRD accepted it, else why not (no BIRD, an unknown protocol).</summary>
    public async Task<string?> RunAsync(string command, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), deadline.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var greeting = await ReadReplyAsync(reader, deadline.Token);
            if (greeting.Error is not null) return greeting.Error;
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\n"), deadline.Token);
            var reply = await ReadReplyAsync(reader, deadline.Token);
            return reply.Error;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"BIRD at {SocketPath} did not answer within {timeout.TotalMilliseconds:0}ms";
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return $"cannot reach BIRD at {SocketPath}: {e.Message}";
        }
    }

    private static async Task<(string Text, string? Error)> ReadReplyAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken) ?? throw new IOException("BIRD closed the control connection");
            // A continuation line of a long reply starts with a space instead of a code.
            if (line.Length < 5 || !char.IsAsciiDigit(line[0]))
            {
                text.Append(line.TrimStart()).Append(' ');
                continue;
            }

            text.Append(line[5..]).Append(' ');
            if (line[4] == '-') continue;
            var message = text.ToString().Trim();
            return line[0] is '8' or '9' ? (message, $"BIRD refused: {message}") : (message, null);
        }
    }
}
