using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.IO.Uring;
using Fulcrum.Core.Model;
using Fulcrum.L4.Pump;
using Fulcrum.L4.Tests.Support;
using Fulcrum.L4.Uring;

namespace Fulcrum.L4.Tests;

public sealed class UringLoopTests
{
    [Fact]
    public async Task IdleLoop_AfterTraffic_SleepsInsteadOfSpinning()
    {
        if (UringProbe.Run() is not null) return;
        // A loop of its own, so other tests' traffic on the shared engine does not count against it; with the spin on
        // (off by default), since a spin that outlived its burst is what this guards against.
        var loop = UringLoop.Start(0, 8, 16 * 1024, out var failure, spinMicroseconds: 50) ?? throw new InvalidOperationException(failure);
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var (client, clientInner) = await PairAsync(listener);
        var (backend, backendInner) = await PairAsync(listener);
        using (client)
        using (clientInner)
        using (backend)
        using (backendInner)
        {
            var relay = new UringRelay(loop, new Owner(), (int)clientInner.SafeHandle.DangerousGetHandle(), (int)backendInner.SafeHandle.DangerousGetHandle());
            loop.Post(relay, UringRelay.StartWork);
            // Enough round trips that the loop has been busy, and spun, many times.
            for (var i = 0; i < 200; i++)
            {
                await client.SendAsync("ping");
                Assert.Equal("ping", Encoding.ASCII.GetString(await Poll.Within(backend.ReadExactlyAsync(4))));
                await backend.SendAsync("pong");
                Assert.Equal("pong", Encoding.ASCII.GetString(await Poll.Within(client.ReadExactlyAsync(4))));
            }

            // An observation window, not a synchronisation: a loop that kept spinning while idle would use most of it
            // (or, on a machine shared by a dozen busy threads, still several times the bound).
            var before = CpuNanoseconds(loop);
            await Task.Delay(TimeSpan.FromSeconds(1));
            var used = TimeSpan.FromTicks((CpuNanoseconds(loop) - before) / 100);
            Assert.True(used < TimeSpan.FromMilliseconds(20), $"the idle loop used {used.TotalMilliseconds:F1} ms of CPU in 1 s");

            relay.Abort();
            await Poll.Within(relay.Completion);
        }
    }

    private static async Task<(Socket Outer, Socket Inner)> PairAsync(Socket listener)
    {
        var outer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accepted = listener.AcceptAsync();
        await outer.ConnectAsync(listener.LocalEndPoint!);
        return (outer, await Poll.Within(accepted));
    }

    /// <summary>The first field of schedstat: nanoseconds the thread has run on a CPU.</summary>
    private static long CpuNanoseconds(UringLoop loop) =>
        long.Parse(File.ReadAllText($"/proc/self/task/{loop.KernelThreadId}/schedstat").Split(' ')[0]);

    private sealed class Owner : IPumpOwner
    {
        public void Touch() { }

        public void Moved(bool toBackend, int bytes) { }

        public void Abort(Outcome outcome) { }

        public bool Attach(IPumpAbort abort) => true;

        public UringLoop? Loop => null;
    }
}
