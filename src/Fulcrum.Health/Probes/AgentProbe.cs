using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Health.Probes;

/// <summary>
/// Asks a backend's agent (HAProxy's agent-check): connects to the agent port, writes `send` if set, reads one line
/// (to a newline or the close, at most 1 KiB) and applies it to <see cref="Backend.Reports"/>. An agent that cannot
/// be reached changes nothing, as in HAProxy: reachability is the health checks' job, and a backend must not fall
/// out of the pool because its side-car restarted.
/// </summary>
internal sealed class AgentProbe : IHealthProbe
{
    private const int MaxLine = 1024;

    public async Task<ProbeResult> ProbeAsync(Backend backend, ActiveHealthConfig config, CancellationToken cancellationToken)
    {
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(backend.Host, config.Port ?? backend.Port, cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(config.Send)) await socket.SendAsync(Encoding.ASCII.GetBytes(config.Send), cancellationToken).ConfigureAwait(false);
            var buffer = new byte[MaxLine];
            var length = 0;
            while (length < MaxLine && Array.IndexOf(buffer, (byte)'\n', 0, length) < 0)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
            }

            var line = Encoding.ASCII.GetString(buffer, 0, length);
            var newline = line.IndexOf('\n', StringComparison.Ordinal);
            var reply = AgentReply.Parse(newline >= 0 ? line[..newline] : line);
            reply.ApplyTo(backend.Reports);
            return ProbeResult.Pass($"agent: {reply}");
        }
        catch (OperationCanceledException)
        {
            return ProbeResult.Fail("agent: timeout");
        }
        catch (SocketException e)
        {
            return ProbeResult.Fail("agent: " + e.SocketErrorCode);
        }
    }

    public void Dispose()
    {
    }
}
