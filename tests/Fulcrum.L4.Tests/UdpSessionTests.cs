using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.L4.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.L4.Tests;

public sealed class UdpSessionTests
{
    [Fact]
    public async Task ThreeClientsTimes100Datagrams_EveryReplyReachesTheRightClient()
    {
        using var b1 = new UdpEchoBackend("b1");
        using var b2 = new UdpEchoBackend("b2");
        await using var lb = await UdpHarness.StartAsync(Listener(), Pool(b1, b2));
        var clients = Enumerable.Range(0, 3).Select(_ => Client()).ToArray();
        try
        {
            var seen = new HashSet<string>[3];
            var backendOf = new string?[3];
            for (var c = 0; c < 3; c++) seen[c] = [];

            // In windows of 10 so no socket buffer on a busy machine ever overflows.
            for (var window = 0; window < 10; window++)
            {
                for (var c = 0; c < 3; c++)
                {
                    for (var i = window * 10; i < window * 10 + 10; i++)
                    {
                        await clients[c].SendToAsync(Encoding.ASCII.GetBytes($"c{c}-{i}"), SocketFlags.None, lb.Endpoint);
                    }
                }

                for (var c = 0; c < 3; c++)
                {
                    for (var k = 0; k < 10; k++)
                    {
                        var reply = await ReceiveAsync(clients[c]);
                        var parts = reply.Split('|');
                        Assert.StartsWith($"c{c}-", parts[1]);
                        Assert.True(seen[c].Add(parts[1]), $"duplicate reply {reply}");
                        backendOf[c] ??= parts[0];
                        Assert.Equal(backendOf[c], parts[0]); // one session, one backend
                    }
                }
            }

            for (var c = 0; c < 3; c++) Assert.Equal(100, seen[c].Count);
            Assert.Equal(300, b1.Received + b2.Received);
            Assert.Equal(3, lb.Counters.Created);
            Assert.Equal(300, lb.Counters.Forwarded);
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    [Fact]
    public async Task IdleSession_Expires_AtTheFirstSweepPastItsTimeout_AndFreesItsLease()
    {
        using var b1 = new UdpEchoBackend("b1");
        var clock = new ManualTimeProvider();
        var listener = Listener() with { SessionTimeout = TimeSpan.FromSeconds(30) };
        await using var lb = await UdpHarness.StartAsync(listener, Pool(b1), clock);
        using var client = Client();

        await client.SendToAsync("ping"u8.ToArray(), SocketFlags.None, lb.Endpoint);
        Assert.Equal("b1|ping", await ReceiveAsync(client));
        var backend = lb.Store.Current.Pools["p"].Backends[0];
        Assert.Equal(1, lb.Counters.Sessions);
        Assert.Equal(1, backend.Stats.Active);

        // The sweeps run inside Advance: at exactly the timeout the session stays, one sweep later it is gone.
        clock.Advance(listener.SessionTimeout);
        Assert.Equal(1, lb.Counters.Sessions);
        clock.Advance(UdpDataPlane.SweepInterval);
        Assert.Equal(0, lb.Counters.Sessions);
        Assert.Equal(1, lb.Counters.Expired);
        Assert.Equal(0, backend.Stats.Active);
        Assert.Equal(4, backend.Stats.BytesSent);
        Assert.Equal(7, backend.Stats.BytesReceived);

        // The same client later gets a fresh session.
        await client.SendToAsync("again"u8.ToArray(), SocketFlags.None, lb.Endpoint);
        Assert.Equal("b1|again", await ReceiveAsync(client));
        Assert.Equal(2, lb.Counters.Created);
    }

    [Fact]
    public async Task SourceIpPortHash_KeepsAClientOnOneBackend_AcrossSessions()
    {
        using var b1 = new UdpEchoBackend("b1");
        using var b2 = new UdpEchoBackend("b2");
        using var b3 = new UdpEchoBackend("b3");
        var pool = Pool(b1, b2, b3) with { Algorithm = "consistent-hash", HashKey = new HashKeyConfig(HashKeySource.SourceIpPort) };
        var clock = new ManualTimeProvider();
        var listener = Listener() with { SessionTimeout = TimeSpan.FromSeconds(30) };
        await using var lb = await UdpHarness.StartAsync(listener, pool, clock);
        var clients = Enumerable.Range(0, 6).Select(_ => Client()).ToArray();
        try
        {
            var first = new string[clients.Length];
            for (var round = 0; round < 3; round++)
            {
                for (var c = 0; c < clients.Length; c++)
                {
                    await clients[c].SendToAsync("x"u8.ToArray(), SocketFlags.None, lb.Endpoint);
                    var backend = (await ReceiveAsync(clients[c])).Split('|')[0];
                    if (round == 0) first[c] = backend;
                    else Assert.Equal(first[c], backend);
                }

                clock.Advance(listener.SessionTimeout + UdpDataPlane.SweepInterval);
                Assert.Equal(0, lb.Counters.Sessions); // expired between rounds
            }

            Assert.Equal(18, lb.Counters.Created);
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    [Fact]
    public async Task OversizedAndEmptyDatagrams_AreDroppedAndCounted()
    {
        using var b1 = new UdpEchoBackend("b1");
        await using var lb = await UdpHarness.StartAsync(Listener() with { MaxDatagramSize = 100 }, Pool(b1));
        using var client = Client();

        await client.SendToAsync(new byte[101], SocketFlags.None, lb.Endpoint);
        await client.SendToAsync(Array.Empty<byte>(), SocketFlags.None, lb.Endpoint);
        await client.SendToAsync(new byte[100], SocketFlags.None, lb.Endpoint);

        Assert.StartsWith("b1|", await ReceiveAsync(client));
        Assert.Equal(1, lb.Counters.Oversized);
        Assert.Equal(1, lb.Counters.Malformed);
        Assert.Equal(1, b1.Received);
    }

    [Fact]
    public async Task MaxSessions_DropsDatagramsFromNewClients_UntilASessionEnds()
    {
        using var b1 = new UdpEchoBackend("b1");
        await using var lb = await UdpHarness.StartAsync(Listener() with { MaxSessions = 2 }, Pool(b1));
        var clients = Enumerable.Range(0, 3).Select(_ => Client()).ToArray();
        try
        {
            for (var c = 0; c < 2; c++)
            {
                await clients[c].SendToAsync("hi"u8.ToArray(), SocketFlags.None, lb.Endpoint);
                Assert.Equal("b1|hi", await ReceiveAsync(clients[c]));
            }

            await clients[2].SendToAsync("hi"u8.ToArray(), SocketFlags.None, lb.Endpoint);
            await Poll.UntilAsync(() => lb.Counters.OverSessionLimit == 1, "third client dropped");
            Assert.Equal(2, lb.Counters.Sessions);
            Assert.Equal(2, b1.Received);
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    [Fact]
    public async Task RandomDatagramsFromManyClients_AreRelayedOrDropped_WhileAnotherClientIsServed()
    {
        using var b1 = new UdpEchoBackend("b1");
        await using var lb = await UdpHarness.StartAsync(Listener() with { MaxDatagramSize = 1500 }, Pool(b1));
        var random = new Random(7);
        var noisy = Enumerable.Range(0, 100).Select(_ => Client()).ToArray();
        try
        {
            var sent = 0;
            foreach (var socket in noisy)
            {
                for (var i = 0; i < 5; i++)
                {
                    var datagram = new byte[random.Next(0, 3000)];
                    random.NextBytes(datagram);
                    await socket.SendToAsync(datagram, SocketFlags.None, lb.Endpoint);
                    sent++;
                }
            }

            // The burst overflows the kernel's receive buffer, which drops datagrams (UDP's way), the client's "hi" too
            // when it comes in the middle: it asks again until an answer comes, as a DNS client would.
            using var client = Client();
            string? reply = null;
            for (var attempt = 0; attempt < 100 && reply is null; attempt++)
            {
                await client.SendToAsync("hi"u8.ToArray(), SocketFlags.None, lb.Endpoint);
                reply = await ReceiveHiAsync(client, TimeSpan.FromMilliseconds(300));
            }

            Assert.Equal("b1|hi", reply);
            // UDP may lose some of a burst in the kernel's buffers; what reaches the listener is relayed or counted.
            Assert.True(lb.Counters.Oversized > 0, "datagrams over max-datagram-size are counted");
            Assert.InRange(lb.Counters.Sessions, 1, 101);
            Assert.InRange(b1.Received, 1, sent + 1);
        }
        finally
        {
            foreach (var socket in noisy) socket.Dispose();
        }
    }

    private static ListenerConfig Listener() => new()
    {
        Name = "dns",
        Bind = new BindAddress(IPAddress.Loopback, 0),
        Protocol = ListenerProtocol.Udp,
        Pool = "p",
    };

    private static PoolConfig Pool(params UdpEchoBackend[] backends) => new()
    {
        Name = "p",
        Backends = [.. backends.Select(b => new BackendConfig { Address = b.Address })],
    };

    private static Socket Client()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return s;
    }

    private static async Task<string> ReceiveAsync(Socket s)
    {
        var buffer = new byte[70_000];
        using var timeout = new CancellationTokenSource(Poll.Deadline);
        var n = await s.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.ASCII.GetString(buffer, 0, n);
    }

    // The next datagram with "b1|hi", or null when none came within the wait (others' leftovers are skipped).
    private static async Task<string?> ReceiveHiAsync(Socket s, TimeSpan wait)
    {
        var buffer = new byte[70_000];
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            while (true)
            {
                var n = await s.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                var text = Encoding.ASCII.GetString(buffer, 0, n);
                if (text == "b1|hi") return text;
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private sealed class UdpHarness : IAsyncDisposable
    {
        private UdpHarness(TopologyStore store, UdpDataPlane plane)
        {
            Store = store;
            Plane = plane;
        }

        public TopologyStore Store { get; }
        public UdpDataPlane Plane { get; }
        public IPEndPoint Endpoint => Plane.BoundEndpoints["dns"];
        public Udp.UdpListenerCounters Counters => Plane.Counters["dns"];

        public static async Task<UdpHarness> StartAsync(ListenerConfig listener, PoolConfig pool, TimeProvider? time = null)
        {
            var services = new BalancerServices(time ?? TimeProvider.System, Random.Shared);
            var store = new TopologyStore(new FulcrumConfig { Listeners = [listener], Pools = [pool] }, services);
            var plane = new UdpDataPlane(store, NullLoggerFactory.Instance);
            await plane.StartAsync(CancellationToken.None);
            return new UdpHarness(store, plane);
        }

        public ValueTask DisposeAsync() => Plane.DisposeAsync();
    }
}
