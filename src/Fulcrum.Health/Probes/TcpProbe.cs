using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Health.Probes;

/// <summary>Passes when a TCP connection to the backend (or the check's `port`) completes in time.</summary>
internal sealed class TcpProbe : IHealthProbe
{
    public async Task<ProbeResult> ProbeAsync(Backend backend, ActiveHealthConfig config, CancellationToken cancellationToken)
    {
        try
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(backend.Host, config.Port ?? backend.Port, cancellationToken).ConfigureAwait(false);
            return ProbeResult.Pass("connected");
        }
        catch (OperationCanceledException)
        {
            return ProbeResult.Fail("timeout");
        }
        catch (SocketException e)
        {
            return ProbeResult.Fail(e.SocketErrorCode.ToString());
        }
    }

    public void Dispose()
    {
    }
}
