using System.Buffers;
using System.Net.Sockets;
using Fulcrum.Core.Model;
using Fulcrum.L4.Tcp;

namespace Fulcrum.L4.Pump;

/// <summary>
/// The relay on .NET's socket calls, which run inline on the runtime's epoll threads (docs/performance.md,
/// "Event-loop I/O"). Works everywhere; the fallback when io_uring cannot run. An abort closes the sockets, which
/// fails the pending calls.
/// </summary>
internal sealed class EpollPumpEngine : IPumpEngine
{
    /// <summary>Relay buffer, rented only while bytes are moving. 64 KiB matches Linux's default socket buffer step.</summary>
    private const int BufferSize = 64 * 1024;

    public static readonly EpollPumpEngine Instance = new();

    public string Name => IoEngineNames.Epoll;

    public async Task PumpAsync(IPumpOwner owner, PeerSocket client, PeerSocket backend)
    {
        // Only the rings accept or connect bare descriptors, and they run only with the io_uring engine.
        var upstream = PumpAsync(owner, client.Socket!, backend.Socket!, toBackend: true);
        var downstream = PumpAsync(owner, backend.Socket!, client.Socket!, toBackend: false);
        await upstream.ConfigureAwait(false);
        await downstream.ConfigureAwait(false);
    }

    // Backpressure: each direction reads one buffer and writes it fully before reading again, so a slow
    // reader on one side stalls the other side's TCP window instead of growing memory here.
    // A zero-byte read waits for data before a buffer is rented, so an idle connection holds none.
    private static async Task PumpAsync(IPumpOwner owner, Socket from, Socket to, bool toBackend)
    {
        byte[]? buffer = null;
        var reading = true;
        try
        {
            while (true)
            {
                await from.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                int n;
                do
                {
                    reading = true;
                    n = await from.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).ConfigureAwait(false);
                    if (n == 0)
                    {
                        // FIN: pass it on and let the other direction keep flowing (half-close).
                        reading = false;
                        to.Shutdown(SocketShutdown.Send);
                        return;
                    }

                    reading = false;
                    // Activity is bytes arriving: touched before they go on, so whoever receives them sees it done.
                    owner.Touch();
                    await SendAllAsync(to, buffer.AsMemory(0, n)).ConfigureAwait(false);
                    owner.Moved(toBackend, n);
                }
                while (n == buffer.Length);

                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            // A reset on either side ends both directions. Blame the side whose operation failed.
            var backendFailed = reading ? !toBackend : toBackend;
            owner.Abort(backendFailed ? Outcome.Reset : Outcome.ClientAbort);
        }
        finally
        {
            if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async ValueTask SendAllAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
            data = data[sent..];
        }
    }
}
