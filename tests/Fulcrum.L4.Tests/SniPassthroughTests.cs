using System.Collections.Immutable;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.L4.Tests.Support;
using Fulcrum.L4.Tls;

namespace Fulcrum.L4.Tests;

public sealed class SniPassthroughTests
{
    [Fact]
    public async Task ClientHelloReader_FindsTheName_AndAsksForMoreOnEveryPrefix()
    {
        var hello = await ClientHellos.CaptureAsync("db.example.com");

        Assert.Equal(ClientHelloStatus.Done, ClientHelloReader.TryRead(hello, out var name));
        Assert.Equal("db.example.com", name);
        for (var cut = 0; cut < hello.Length; cut++)
        {
            Assert.Equal(ClientHelloStatus.NeedMore, ClientHelloReader.TryRead(hello.AsSpan(0, cut), out _));
        }
    }

    [Fact]
    public async Task ClientHelloReader_JoinsAHandshakeSplitOverSeveralRecords()
    {
        var records = ClientHellos.SplitIntoRecords(await ClientHellos.CaptureAsync("split.example.com"), fragment: 50);

        Assert.Equal(ClientHelloStatus.Done, ClientHelloReader.TryRead(records, out var name));
        Assert.Equal("split.example.com", name);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("\u0016\u0002\u0000\u0000\u0005hello")]
    [InlineData("\u0016\u0003\u0001\u0000\u0004\u0002\u0000\u0000\u0000")]
    public void ClientHelloReader_RejectsWhatIsNotAClientHello(string garbage)
    {
        Assert.Equal(ClientHelloStatus.Invalid, ClientHelloReader.TryRead(System.Text.Encoding.Latin1.GetBytes(garbage), out _));
    }

    [Theory]
    [InlineData("a.example.com", "a")]
    [InlineData("A.Example.COM", "a")]
    [InlineData("x.b.example.com", "b")]
    [InlineData("deep.x.b.example.com", "b")]
    [InlineData("b.example.com", "fallback")]
    [InlineData("other.org", "fallback")]
    [InlineData(null, "fallback")]
    public void SniRouter_PrefersExact_ThenWildcard_ThenDefault(string? serverName, string pool)
    {
        var router = new SniRouter(Routes(("a.example.com", "a"), ("*.b.example.com", "b"), ("*", "fallback")));
        Assert.Equal(pool, router.Route(serverName));
    }

    [Fact]
    public async Task OpensslClients_AreRoutedByServerName_ToBackendsWithDifferentCertificates()
    {
        using var a = await OpensslServer.StartAsync("a.example.com");
        using var b = await OpensslServer.StartAsync("b.example.com");
        var listener = L4Harness.Listener() with
        {
            Pool = null,
            Sni = Routes(("a.example.com", "a"), ("*.b.example.com", "b"), ("*", "a")),
        };
        await using var lb = await L4Harness.StartAsync(listener, Pool("a", a.Address), Pool("b", b.Address));

        Assert.Contains("CN = a.example.com", await SClientAsync(lb, "a.example.com"));
        Assert.Contains("CN = b.example.com", await SClientAsync(lb, "www.b.example.com"));
        Assert.Contains("CN = a.example.com", await SClientAsync(lb, "unknown.org"));
    }

    [Fact]
    public async Task ClientHelloSplitOverSegments_IsRoutedAndRelayedUntouched()
    {
        var received = new TaskCompletionSource<byte[]>();
        using var right = new TestBackend(async s => received.TrySetResult(await s.ReadToEndAsync()));
        using var wrong = TestBackend.Echo();
        var listener = L4Harness.Listener() with { Pool = null, Sni = Routes(("right.example.com", "right"), ("*", "wrong")) };
        await using var lb = await L4Harness.StartAsync(listener, L4Harness.PoolOf("right", right), L4Harness.PoolOf("wrong", wrong));
        var hello = await ClientHellos.CaptureAsync("right.example.com");
        using var client = await lb.ConnectAsync();

        foreach (var (start, end) in new[] { (0, 3), (3, 40), (40, hello.Length) })
        {
            await client.SendAsync(hello.AsMemory(start, end - start), SocketFlags.None);
            await Task.Yield();
        }

        var after = System.Text.Encoding.ASCII.GetBytes("after");
        await client.SendAsync(after, SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);

        byte[] expected = [.. hello, .. after];
        Assert.Equal(expected, await Poll.Within(received.Task));
        Assert.Equal(0, wrong.Accepted);
    }

    [Fact]
    public async Task GarbageFirstPacket_IsRejected_WithoutABackend()
    {
        using var backend = TestBackend.Echo();
        var listener = L4Harness.Listener() with { Pool = null, Sni = Routes(("*", "p")) };
        await using var lb = await L4Harness.StartAsync(listener, L4Harness.PoolOf("p", backend));
        using var client = await lb.ConnectAsync();

        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.True(await Poll.Within(client.IsClosedAsync()));
        Assert.Equal(0, backend.Accepted);
    }

    [Fact]
    public async Task StalledClientHello_IsClosedAfterInspectTimeout()
    {
        using var backend = TestBackend.Echo();
        var clock = new ManualTimeProvider();
        var listener = L4Harness.Listener() with { Pool = null, Sni = Routes(("*", "p")), InspectTimeout = TimeSpan.FromSeconds(5) };
        var hello = await ClientHellos.CaptureAsync("slow.example.com");
        await using var lb = await L4Harness.StartAsync(clock, listener, L4Harness.PoolOf("p", backend));
        using var client = await lb.ConnectAndWaitForAcceptAsync();
        await client.SendAsync(hello.AsMemory(0, 20), SocketFlags.None);

        clock.Advance(listener.InspectTimeout + TcpDataPlane.SweepInterval);

        Assert.True(await Poll.Within(client.IsClosedAsync()));
        Assert.Equal(0, backend.Accepted);
    }

    private static ImmutableArray<SniRouteConfig> Routes(params (string Name, string Pool)[] routes) =>
        [.. routes.Select(r => new SniRouteConfig { ServerName = r.Name, Pool = r.Pool })];

    private static PoolConfig Pool(string name, string address) => new()
    {
        Name = name,
        Backends = [new BackendConfig { Address = address }],
    };

    private static Task<string> SClientAsync(L4Harness lb, string serverName) =>
        Openssl.RunAsync("s_client", "-connect", $"127.0.0.1:{lb.Endpoint.Port}", "-servername", serverName, "-brief");
}
