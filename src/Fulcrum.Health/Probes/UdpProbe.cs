using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Health.Probes;

/// <summary>
/// Sends the check's `send` payload as one datagram and passes when a reply arrives within the timeout
/// (and contains `body`, if set). UDP has no connect, so silence is the only failure signal besides an
/// ICMP port-unreachable, which a connected socket reports as ConnectionRefused.
/// </summary>
internal sealed class UdpProbe : IHealthProbe
{
    public async Task<ProbeResult> ProbeAsync(Backend backend, ActiveHealthConfig config, CancellationToken cancellationToken)
    {
        try
        {
            var payload = Payload(config.Send);
            var addresses = IPAddress.TryParse(backend.Host, out var ip)
                ? [ip]
                : await Dns.GetHostAddressesAsync(backend.Host, cancellationToken).ConfigureAwait(false);
            if (addresses.Length == 0) return ProbeResult.Fail("no address");
            using var socket = new Socket(addresses[0].AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            socket.Connect(new IPEndPoint(addresses[0], config.Port ?? backend.Port));
            await socket.SendAsync(payload, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            var buffer = new byte[65_536];
            var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (config.Body is not null && !Encoding.UTF8.GetString(buffer, 0, n).Contains(config.Body, StringComparison.Ordinal))
            {
                return ProbeResult.Fail($"reply lacks '{config.Body}'");
            }

            return ProbeResult.Pass($"{n} byte reply");
        }
        catch (OperationCanceledException)
        {
            return ProbeResult.Fail("timeout");
        }
        catch (SocketException e)
        {
            return ProbeResult.Fail(e.SocketErrorCode.ToString());
        }
        catch (FormatException)
        {
            return ProbeResult.Fail("send is not valid hex");
        }
    }

    /// <summary>`hex:0001...` for binary protocols (a DNS query), anything else as UTF-8 text.</summary>
    internal static byte[] Payload(string send) =>
        send.StartsWith("hex:", StringComparison.Ordinal) ? Convert.FromHexString(send.AsSpan(4)) : Encoding.UTF8.GetBytes(send);

    public void Dispose()
    {
    }
}
