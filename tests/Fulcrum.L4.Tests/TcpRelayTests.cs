using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Fulcrum.Core.Model;
using Fulcrum.L4.Tests.Support;
using Xunit.Abstractions;

namespace Fulcrum.L4.Tests;

public sealed class TcpRelayTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Relay_OneGiBEachWayAtOnce_ShaMatchesAtBothEnds()
    {
        const long Total = 1L << 30;
        byte[]? backendReceived = null;
        byte[]? backendSent = null;
        using var backend = new TestBackend(async s =>
        {
            var send = SendPatternAsync(s, Total, seed: 2);
            backendReceived = await HashUntilFinAsync(s);
            backendSent = await send;
        });
        await using var lb = await L4Harness.StartAsync(L4Harness.Listener(), L4Harness.PoolOf("p", backend));
        using var client = await lb.ConnectAsync();

        var clock = Stopwatch.StartNew();
        var clientSend = SendPatternAsync(client, Total, seed: 1);
        var clientReceived = await Poll.Within(HashUntilFinAsync(client), TimeSpan.FromMinutes(3));
        var clientSent = await Poll.Within(clientSend, TimeSpan.FromMinutes(3));
        await Poll.UntilAsync(() => backendSent is not null, "backend finished");
        output.WriteLine($"2 GiB relayed in {clock.Elapsed.TotalSeconds:F1} s");

        Assert.Equal(Convert.ToHexString(clientSent), Convert.ToHexString(backendReceived!));
        Assert.Equal(Convert.ToHexString(backendSent!), Convert.ToHexString(clientReceived));
        var stats = lb.Pool().Backends[0].Stats;
        await Poll.UntilAsync(() => stats.Active == 0, "lease released");
        Assert.Equal(Total, stats.BytesSent);
        Assert.Equal(Total, stats.BytesReceived);
    }

    [Fact]
    public async Task HalfClose_ClientShutsDownSending_StillReadsWholeReply()
    {
        // The backend answers only after the client's FIN, so the reply travels on a half-closed connection.
        using var backend = new TestBackend(async s =>
        {
            var request = await s.ReadToEndAsync();
            var reply = new byte[1 << 20];
            Random.Shared.NextBytes(reply);
            SHA256.HashData(request).CopyTo(reply, 0);
            await s.SendAsync(reply, SocketFlags.None);
            s.Shutdown(SocketShutdown.Send);
        });
        await using var lb = await L4Harness.StartAsync(L4Harness.Listener(), L4Harness.PoolOf("p", backend));
        using var client = await lb.ConnectAsync();

        var request = Encoding.ASCII.GetBytes(new string('x', 100_000));
        await client.SendAsync(request, SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);
        var reply = await Poll.Within(client.ReadToEndAsync());

        Assert.Equal(1 << 20, reply.Length);
        Assert.Equal(SHA256.HashData(request), reply[..32]);
    }

    [Fact]
    public async Task RoundRobin_ThousandConcurrentConnections_OverThreeBackends_Gives333Or334Each()
    {
        using var b1 = TestBackend.Hold();
        using var b2 = TestBackend.Hold();
        using var b3 = TestBackend.Hold();
        await using var lb = await L4Harness.StartAsync(L4Harness.Listener(), L4Harness.PoolOf("p", b1, b2, b3));

        var clients = new Socket[1000];
        try
        {
            for (var batch = 0; batch < 10; batch++)
            {
                var connects = new Task<Socket>[100];
                for (var i = 0; i < 100; i++) connects[i] = lb.ConnectAsync();
                var done = await Poll.Within(Task.WhenAll(connects));
                done.CopyTo(clients, batch * 100);
            }

            // All held open at once, then counted.
            await Poll.UntilAsync(() => b1.Open + b2.Open + b3.Open == 1000, "1000 backend connections open");
            Assert.Equal(1000, lb.Plane.ActiveConnections);
            foreach (var b in new[] { b1, b2, b3 }) Assert.InRange(b.Accepted, 333, 334);
        }
        finally
        {
            foreach (var c in clients) c?.Dispose();
        }

        await Poll.UntilAsync(() => lb.Plane.ActiveConnections == 0, "all connections closed");
    }

    [Fact]
    public async Task BackendKilledMidStream_ClosesThatConnection_OthersUntouched_NewOnesAvoidIt()
    {
        using var b1 = TestBackend.Named("b1");
        using var b2 = TestBackend.Named("b2");
        using var b3 = TestBackend.Named("b3");
        await using var lb = await L4Harness.StartAsync(L4Harness.Listener(), L4Harness.PoolOf("p", b1, b2, b3));

        var byName = new Dictionary<string, Socket>();
        for (var i = 0; i < 3; i++)
        {
            var c = await lb.ConnectAsync();
            byName[await ReadNameAsync(c)] = c;
        }

        Assert.Equal(["b1", "b2", "b3"], byName.Keys.Order());
        await byName["b2"].SendAsync("before\n");
        Assert.Equal("before\n", Encoding.ASCII.GetString(await byName["b2"].ReadExactlyAsync(7)));

        b2.Kill();

        Assert.True(await Poll.Within(byName["b2"].IsClosedAsync()));
        foreach (var name in new[] { "b1", "b3" })
        {
            await byName[name].SendAsync("still here\n");
            Assert.Equal("still here\n", Encoding.ASCII.GetString(await Poll.Within(byName[name].ReadExactlyAsync(11))));
        }

        for (var i = 0; i < 6; i++)
        {
            using var c = await lb.ConnectAsync();
            Assert.NotEqual("b2", await Poll.Within(ReadNameAsync(c)));
        }

        var dead = lb.Pool().Find(b2.Address)!;
        Assert.True(dead.Stats.Failures >= 1, "connect failures are released as ConnectFailure for passive health");
        foreach (var c in byName.Values) c.Dispose();
    }

    [Fact]
    public async Task InFlightBytes_ReachBackendStats_BeforeTheConnectionCloses()
    {
        using var backend = TestBackend.Echo();
        await using var lb = await L4Harness.StartAsync(L4Harness.Listener(), L4Harness.PoolOf("p", backend));
        using var client = await lb.ConnectAsync();
        await client.SendAsync(new byte[10_000], SocketFlags.None);
        await client.ReadExactlyAsync(10_000);

        var stats = lb.Pool().Backends[0].Stats;
        await Poll.UntilAsync(() => stats.BytesSent == 10_000 && stats.BytesReceived == 10_000, "bytes reported while open");
        Assert.Equal(1, stats.Active);
        Assert.True(stats.BytesPerSecond > 0);
    }

    [Fact]
    public async Task SlowReader_StallsTheSender_InsteadOfBeingBufferedInFulcrum()
    {
        const long Total = 256L << 20;
        long sent = 0;
        using var backend = new TestBackend(async s =>
        {
            var chunk = new byte[1 << 20];
            while (Volatile.Read(ref sent) < Total)
            {
                await s.SendAsync(chunk, SocketFlags.None);
                Interlocked.Add(ref sent, chunk.Length);
            }

            s.Shutdown(SocketShutdown.Send);
        });
        await using var lb = await L4Harness.StartAsync(L4Harness.Listener(), L4Harness.PoolOf("p", backend));
        using var client = await lb.ConnectAsync();
        client.ReceiveBufferSize = 64 * 1024;

        // The client reads nothing: the backend must stop once the socket buffers on the way are full.
        // Quiescence can only be seen over time, so wait (bounded) until a second passes without progress.
        var last = -1L;
        for (var i = 0; i < 30 && Volatile.Read(ref sent) != last; i++)
        {
            last = Volatile.Read(ref sent);
            await Task.Delay(1000);
        }

        output.WriteLine($"backend stalled after {last >> 20} MiB");
        Assert.True(last < 64L << 20, $"the backend wrote {last >> 20} MiB to a client that reads nothing");

        // Reading resumes the flow, and every byte arrives.
        var received = 0L;
        var buffer = new byte[256 * 1024];
        var read = Task.Run(async () =>
        {
            int n;
            while ((n = await client.ReceiveAsync(buffer, SocketFlags.None)) > 0) received += n;
        });
        await Poll.Within(read, TimeSpan.FromMinutes(2));
        Assert.Equal(Total, received);
    }

    [Fact]
    public async Task SourceIpHash_SendsEveryConnectionFromOneClientToOneBackend()
    {
        using var b1 = TestBackend.Named("b1");
        using var b2 = TestBackend.Named("b2");
        using var b3 = TestBackend.Named("b3");
        var pool = L4Harness.PoolOf("p", b1, b2, b3) with { Algorithm = "consistent-hash" };
        await using var lb = await L4Harness.StartAsync(L4Harness.Listener(), pool);

        var names = new HashSet<string>();
        for (var i = 0; i < 12; i++)
        {
            using var c = await lb.ConnectAsync();
            names.Add(await Poll.Within(ReadNameAsync(c)));
        }

        Assert.Single(names);
    }

    internal static async Task<string> ReadNameAsync(Socket s)
    {
        var name = new StringBuilder();
        var one = new byte[1];
        while (await s.ReceiveAsync(one, SocketFlags.None) == 1 && one[0] != '\n') name.Append((char)one[0]);
        return name.ToString();
    }

    // Sends `total` bytes of a seeded pattern, each 256 KiB chunk stamped with its index so a reordering
    // would change the hash; then FIN. Returns the SHA-256 of what was sent.
    private static async Task<byte[]> SendPatternAsync(Socket s, long total, int seed)
    {
        const int Chunk = 256 * 1024;
        var block = new byte[4 * Chunk];
        new Random(seed).NextBytes(block);
        var buffer = new byte[Chunk];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (long i = 0, sent = 0; sent < total; i++, sent += Chunk)
        {
            Buffer.BlockCopy(block, (int)(i % 4) * Chunk, buffer, 0, Chunk);
            BitConverter.TryWriteBytes(buffer, i);
            sha.AppendData(buffer);
            var m = buffer.AsMemory();
            while (!m.IsEmpty) m = m[await s.SendAsync(m, SocketFlags.None)..];
        }

        s.Shutdown(SocketShutdown.Send);
        return sha.GetHashAndReset();
    }

    private static async Task<byte[]> HashUntilFinAsync(Socket s)
    {
        var buffer = new byte[256 * 1024];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        int n;
        while ((n = await s.ReceiveAsync(buffer, SocketFlags.None)) > 0) sha.AppendData(buffer, 0, n);
        return sha.GetHashAndReset();
    }
}
