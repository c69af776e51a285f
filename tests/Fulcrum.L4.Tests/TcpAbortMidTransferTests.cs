using System.Net.Sockets;
using Fulcrum.Core.Model;
using Fulcrum.L4.Tests.Support;

namespace Fulcrum.L4.Tests;

/// <summary>
/// An abort while a bulk transfer flows: on io_uring the direction moves by splice by then, with a splice possibly
/// blocked in the kernel's worker on a full socket, and the relay must cancel it before the sockets may close.
/// </summary>
public sealed class TcpAbortMidTransferTests
{
    private const int Megabyte = 1 << 20;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task TotalTimeout_MidBulkTransfer_ClosesBothSides_AndReleasesTheLease(bool backendKeepsReading)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var backendEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long backendRead = 0;
        using var backend = new TestBackend(async s =>
        {
            try
            {
                var buffer = new byte[64 * 1024];
                int n;
                while ((n = await s.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                {
                    // Stop reading after a megabyte: the proxy's sends to this socket then block.
                    if (Interlocked.Add(ref backendRead, n) >= Megabyte && !backendKeepsReading) await release.Task;
                }
            }
            catch (SocketException)
            {
                // A reset is a close too.
            }

            backendEnded.TrySetResult();
        });
        var clock = new ManualTimeProvider();
        var listener = L4Harness.Listener() with { TotalTimeout = TimeSpan.FromSeconds(10) };
        await using var lb = await L4Harness.StartAsync(clock, listener, L4Harness.PoolOf("p", backend));
        using var client = await lb.ConnectAsync();
        var stats = lb.Pool().Backends[0].Stats;

        var sending = SendUntilClosedAsync(client);
        // Past four full 16 KiB receives in a row the io_uring engine splices; a megabyte is well past that.
        await Poll.UntilAsync(() => Interlocked.Read(ref backendRead) >= Megabyte, "a megabyte relayed to the backend");
        // The total timeout, not the idle one: bytes still arriving after the clock moves would make it not idle.
        clock.Advance(listener.TotalTimeout + TcpDataPlane.SweepInterval);

        await Poll.UntilAsync(() => stats.Active == 0 && lb.Plane.ActiveConnections == 0, "lease released and connection gone");
        Assert.True(await Poll.Within(sending), "the client's sends fail once the proxy closes its side");
        release.TrySetResult();
        await Poll.Within(backendEnded.Task);
    }

    /// <summary>True when a send failed (the proxy closed); false when the bound was reached first.</summary>
    private static async Task<bool> SendUntilClosedAsync(Socket client)
    {
        var chunk = new byte[64 * 1024];
        try
        {
            for (var i = 0; i < 100_000; i++) await client.SendAsync(chunk, SocketFlags.None);
        }
        catch (SocketException)
        {
            return true;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }

        return false;
    }
}
