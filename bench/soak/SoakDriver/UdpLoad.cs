using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fulcrum.Bench.Soak;

/// <summary>
/// Paced datagrams through the udp listener from one socket per worker (one Fulcrum session each): each must come back
/// as "NAME|payload" within the timeout. Late answers to earlier datagrams are skipped. A datagram is never replayed,
/// so a lost one counts as not idempotent.
/// </summary>
public sealed class UdpLoad(int port, Tally tally, Func<TimeSpan> clock)
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(5);

    public async Task RunAsync(int worker, TimeSpan period, CancellationToken stop)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        using var timer = new PeriodicTimer(period);
        var buffer = new byte[2048];
        var n = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await OneAsync(socket, buffer, $"u{worker}-{++n}");
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The load is over.
        }
    }

    private async Task OneAsync(Socket socket, byte[] buffer, string payload)
    {
        var started = clock();
        var suffix = "|" + payload;
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
                    // ICMP port unreachable from Fulcrum's side of the session: wait on for the answer or the timeout.
                    continue;
                }

                var reply = Encoding.ASCII.GetString(buffer, 0, received);
                if (!reply.EndsWith(suffix, StringComparison.Ordinal)) continue;
                if (reply.StartsWith("udp-", StringComparison.Ordinal)) tally.Succeeded(Channel.Udp);
                else tally.Failed(Channel.Udp, idempotent: false, started, $"reply '{reply}'");
                return;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            tally.Failed(Channel.Udp, idempotent: false, started, $"no reply to '{payload}' within {ReplyTimeout.TotalSeconds} s: {e.GetType().Name}");
        }
    }
}
