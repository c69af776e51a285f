using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.IO.Uring;
using Fulcrum.Core.Model;
using Fulcrum.L7.Tests.Support;
using Fulcrum.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.Uring;

/// <summary>How the own front end's connections do I/O: `io-engine:` and FULCRUM_IO_ENGINE, io_uring where the kernel allows it.</summary>
public sealed class ConnectionEngineTests
{
    private static readonly bool KernelAllowsUring = UringProbe.Run() is null;
    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    [Theory]
    [InlineData(IoEngineChoice.Auto, null, "io_uring")]
    [InlineData(IoEngineChoice.Epoll, null, "epoll")]
    [InlineData(IoEngineChoice.Auto, "epoll", "epoll")]
    [InlineData(IoEngineChoice.Epoll, "io_uring", "io_uring")]
    public async Task OwnFrontEnd_RunsTheEngineTheConfigOrTheVariableNames_AndServes(IoEngineChoice configured, string? variable, string asked)
    {
        var expected = asked == "io_uring" && !KernelAllowsUring ? "epoll" : asked;
        await using var backend = RawBackend.KeepAlive(_ => Ok);
        await using var plane = await StartAsync(configured, variable, backend, refusal: null);

        Assert.Equal(expected, plane.ConnectionEngineName);
        await AssertServesAsync(plane);
    }

    [Fact]
    public async Task IoUringRefusedByTheKernel_FallsBackToEpoll_AndServes()
    {
        await using var backend = RawBackend.KeepAlive(_ => Ok);
        await using var plane = await StartAsync(IoEngineChoice.IoUring, null, backend, refusal: () => "io_uring_setup failed: errno 1 (EPERM: seccomp)");

        Assert.Equal("epoll", plane.ConnectionEngineName);
        await AssertServesAsync(plane);
    }

    [Fact]
    public async Task KestrelOnlyConfig_ChoosesNoEngine()
    {
        await using var backend = RawBackend.KeepAlive(_ => Ok);
        var config = Of(Web(ToPool("raw")) with { FrontEnd = HttpFrontEnd.Kestrel }, backend.Pool("raw"));
        await using var plane = new HttpDataPlane(new TopologyStore(config), NullLoggerFactory.Instance) { IoEngineVariable = () => null };
        await plane.StartAsync(CancellationToken.None);

        Assert.Null(plane.ConnectionEngineName);
    }

    [Fact]
    public async Task OwnFrontEnd_OnIoUring_AcceptsOnTheRings_AndItsStopClosesTheListeningSocket()
    {
        await using var backend = RawBackend.KeepAlive(_ => Ok);
        var plane = await StartAsync(IoEngineChoice.IoUring, null, backend, refusal: null);
        IPEndPoint endpoint;
        await using (plane)
        {
            Assert.Equal(KernelAllowsUring ? "io_uring" : "epoll", plane.ConnectionEngineName);
            endpoint = plane.BoundEndpoints["web"];
            // New connections, each accepted by a ring (one per request: Connection: close).
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{endpoint.Port}/"), Timeout = TimeSpan.FromSeconds(30) };
            client.DefaultRequestHeaders.ConnectionClose = true;
            for (var i = 0; i < 5; i++) Assert.Equal("ok", await client.GetStringAsync("/"));
        }

        // A ring's armed accept holds the socket in the kernel: had the stop left one, this connect would be queued.
        using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(() => late.ConnectAsync(endpoint));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    private static async Task<HttpDataPlane> StartAsync(IoEngineChoice configured, string? variable, RawBackend backend, Func<string?>? refusal)
    {
        var config = Of(Web(ToPool("raw")) with { FrontEnd = HttpFrontEnd.Fulcrum }, backend.Pool("raw")) with { IoEngine = configured };
        var plane = new HttpDataPlane(new TopologyStore(config), NullLoggerFactory.Instance) { IoEngineVariable = () => variable, UringRefusal = refusal };
        await plane.StartAsync(CancellationToken.None);
        return plane;
    }

    private static async Task AssertServesAsync(HttpDataPlane plane)
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{plane.BoundEndpoints["web"].Port}/"), Timeout = TimeSpan.FromSeconds(30) };
        for (var i = 0; i < 5; i++) Assert.Equal("ok", await client.GetStringAsync("/"));
    }
}
