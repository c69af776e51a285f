using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fulcrum.Bench.Upgrade;

/// <summary>
/// One udp client address sending through the upgrade: a datagram every few milliseconds, each to be answered
/// "udp-1|payload" within the timeout. Late answers to earlier datagrams are skipped; a datagram never answered fails.
/// </summary>
public sealed class UdpSession(IPEndPoint endpoint, Tally tally)
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(5);

    public async Task RunAsync(TimeSpan period, CancellationToken stop)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(endpoint);
        using var timer = new PeriodicTimer(period);
        var buffer = new byte[2048];
        var n = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop)) await OneAsync(socket, buffer, $"u-{++n}");
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The load is over.
        }
    }

    private async Task OneAsync(Socket socket, byte[] buffer, string payload)
    {
        using var timeout = new CancellationTokenSource(ReplyTimeout);
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(payload), SocketFlags.None, timeout.Token);
            while (true)
            {
                int received;
                try
                {
                    received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused && !timeout.IsCancellationRequested)
                {
                    // ICMP port unreachable: no socket was bound to the listener's port for a moment. Counted, and the
                    // answer still awaited.
                    tally.Refuse(Channel.Udp, $"ICMP port unreachable after '{payload}'");
                    continue;
                }

                var reply = Encoding.ASCII.GetString(buffer, 0, received);
                if (!reply.EndsWith("|" + payload, StringComparison.Ordinal)) continue;
                if (reply == "udp-1|" + payload) tally.Succeeded(Channel.Udp);
                else tally.Fail(Channel.Udp, $"reply '{reply}'");
                return;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            tally.Fail(Channel.Udp, $"no reply to '{payload}' within {ReplyTimeout.TotalSeconds} s");
        }
    }
}
