using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fulcrum.Bench.Upgrade;

/// <summary>
/// One tcp connection held through the upgrade: a line every few milliseconds, each echoed back in order, until the
/// driver ends it with a FIN and reads the backend's. It was accepted by the old process, so it must live on there
/// until it ends: the old process may only exit after <see cref="EndedAt"/>.
/// </summary>
public sealed class LongStream(IPEndPoint endpoint, Tally tally, Func<TimeSpan> clock)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(20);

    /// <summary>When the stream ended (the backend's FIN read), on the driver's clock; null until then or when it broke.</summary>
    public TimeSpan? EndedAt { get; private set; }

    /// <summary>Lines echoed back.</summary>
    public int Echoed { get; private set; }

    public async Task RunAsync(TimeSpan period, CancellationToken end)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var n = 0;
        try
        {
            using (var connect = new CancellationTokenSource(StepTimeout))
            {
                await socket.ConnectAsync(endpoint, connect.Token);
                var greeting = await LineReader.ReadLineAsync(socket, connect.Token);
                if (greeting != "tcp-1") throw new IOException($"greeting '{greeting}'");
            }

            using var timer = new PeriodicTimer(period);
            while (!end.IsCancellationRequested)
            {
                try
                {
                    await timer.WaitForNextTickAsync(end);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                using var step = new CancellationTokenSource(StepTimeout);
                var line = $"stream-{++n}";
                await socket.SendAsync(Encoding.ASCII.GetBytes(line + "\n"), SocketFlags.None, step.Token);
                var echo = await LineReader.ReadLineAsync(socket, step.Token);
                if (echo != line) throw new IOException($"echo '{echo}' for '{line}'");
                Echoed++;
                tally.Succeeded(Channel.LongStream);
            }

            using var close = new CancellationTokenSource(StepTimeout);
            socket.Shutdown(SocketShutdown.Send);
            var buffer = new byte[64];
            if (await socket.ReceiveAsync(buffer, SocketFlags.None, close.Token) != 0) throw new IOException("bytes after the last echo");
            EndedAt = clock();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            tally.Refuse(Channel.LongStream, e.Message);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            tally.Fail(Channel.LongStream, $"after {Echoed} lines: {e.GetType().Name}: {e.Message}");
        }
    }
}
