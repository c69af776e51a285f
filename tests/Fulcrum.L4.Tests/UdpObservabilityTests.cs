using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.L4.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.L4.Tests;

/// <summary>A udp session's access log line and listener counters, on real sockets.</summary>
public sealed class UdpObservabilityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fulcrum-udp-log-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task UdpSession_WhenItEnds_WritesOneAccessLogLine_WithBytesDatagramsAndBackend()
    {
        var path = Path.Combine(_dir, "udp.log");
        using var b1 = new UdpEchoBackend("b1");
        var listener = Listener() with { AccessLog = new AccessLogConfig { Path = path } };
        var store = new TopologyStore(new FulcrumConfig { Listeners = [listener], Pools = [Pool(b1)] });
        using var logs = store.AccessLogs;
        await using var plane = new UdpDataPlane(store, NullLoggerFactory.Instance);
        await plane.StartAsync(CancellationToken.None);
        using var client = Client();

        await PingThreeTimesAsync(client, plane.BoundEndpoints["dns"]);
        Assert.Equal(1, plane.Counters["dns"].Sessions);
        Assert.Equal(0, logs.Counters.Written); // no line while the session lives

        // Stopping ends the session (as its idle timeout would, 60 s by default): now its line is queued, and the
        // test, standing in for the host's writer thread, writes it.
        await plane.DisposeAsync();
        Assert.True(logs.For(listener, store.Current.Config)!.WriteQueued());
        Assert.Equal(1, logs.Counters.Written);
        var line = JsonDocument.Parse(Assert.Single(File.ReadAllLines(path))).RootElement;
        Assert.Equal("dns", line.GetProperty("listener").GetString());
        Assert.Equal("udp", line.GetProperty("protocol").GetString());
        Assert.Equal($"127.0.0.1:{((IPEndPoint)client.LocalEndPoint!).Port}", line.GetProperty("client").GetString());
        Assert.Equal("p", line.GetProperty("pool").GetString());
        Assert.Equal(store.Current.Pools["p"].Backends[0].Id, line.GetProperty("backend").GetString());
        Assert.Equal(3 * 4, line.GetProperty("bytes_in").GetInt64()); // "ping"
        Assert.Equal(3 * 7, line.GetProperty("bytes_out").GetInt64()); // "b1|ping"
        Assert.Equal(3, line.GetProperty("datagrams_in").GetInt64());
        Assert.Equal(3, line.GetProperty("datagrams_out").GetInt64());
        Assert.Equal("success", line.GetProperty("outcome").GetString());
        var firstReply = line.GetProperty("first_byte_ms").GetDouble();
        Assert.True(firstReply >= 0 && firstReply <= line.GetProperty("total_ms").GetDouble(), line.ToString());
    }

    [Fact]
    public async Task UdpListener_CountsSessionsAsConnections_AndItsBytesAndDatagrams()
    {
        using var b1 = new UdpEchoBackend("b1");
        var store = new TopologyStore(new FulcrumConfig { Listeners = [Listener()], Pools = [Pool(b1)] });
        await using var plane = new UdpDataPlane(store, NullLoggerFactory.Instance);
        await plane.StartAsync(CancellationToken.None);
        using var client = Client();
        var stats = store.Listeners.For("dns");

        await PingThreeTimesAsync(client, plane.BoundEndpoints["dns"]);
        Assert.True(stats.CountsDatagrams);
        Assert.Equal(1, stats.Connections);
        // Bytes and datagrams count as they pass, before the session ends.
        Assert.Equal(3, stats.DatagramsReceived);
        Assert.Equal(12, stats.BytesReceived);
        await Poll.UntilAsync(() => stats.DatagramsSent == 3, "three replies counted");
        Assert.Equal(21, stats.BytesSent);

        Assert.Equal(1, stats.ActiveConnections);
        Assert.Equal(0, stats.Requests);

        await plane.DisposeAsync(); // ends the session
        Assert.Equal(0, stats.ActiveConnections);
        Assert.Equal(1, stats.Requests); // an ended session counts as handled, like a tcp connection
        Assert.Equal(1, stats.Connections);
    }

    private static async Task PingThreeTimesAsync(Socket client, IPEndPoint lb)
    {
        for (var i = 0; i < 3; i++)
        {
            await client.SendToAsync("ping"u8.ToArray(), SocketFlags.None, lb);
            Assert.Equal("b1|ping", await ReceiveAsync(client));
        }
    }

    private static ListenerConfig Listener() => new()
    {
        Name = "dns",
        Bind = new BindAddress(IPAddress.Loopback, 0),
        Protocol = ListenerProtocol.Udp,
        Pool = "p",
    };

    private static PoolConfig Pool(UdpEchoBackend backend) => new()
    {
        Name = "p",
        Backends = [new BackendConfig { Address = backend.Address }],
    };

    private static Socket Client()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return s;
    }

    private static async Task<string> ReceiveAsync(Socket s)
    {
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(Poll.Deadline);
        var n = await s.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.ASCII.GetString(buffer, 0, n);
    }
}
