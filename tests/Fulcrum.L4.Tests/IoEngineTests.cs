using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.IO.Uring;
using Fulcrum.Core.Model;
using Fulcrum.L4.Tests.Support;
using Fulcrum.L4.Uring;

namespace Fulcrum.L4.Tests;

public sealed class IoEngineTests
{
    private static readonly bool KernelAllowsUring = UringProbe.Run() is null;

    [Theory]
    [InlineData(IoEngineChoice.Epoll, null, "epoll")]
    [InlineData(IoEngineChoice.IoUring, null, "io_uring")]
    [InlineData(IoEngineChoice.Auto, null, "io_uring")]
    [InlineData(IoEngineChoice.IoUring, "epoll", "epoll")]
    [InlineData(IoEngineChoice.Epoll, "io_uring", "io_uring")]
    public async Task Engine_ThePlaneRunsAndLogs_IsTheOneAskedFor_ConfigOrEnvironment(IoEngineChoice configured, string? variable, string asked)
    {
        var expected = asked == "io_uring" && !KernelAllowsUring ? "epoll" : asked;
        using var backend = TestBackend.Echo();
        var logs = new CapturingLoggerFactory();
        await using var plane = await StartAsync(configured, variable, logs, backend, refusal: null);

        Assert.Equal(expected, plane.IoEngine);
        Assert.Contains(logs.Messages, m => m.StartsWith($"tcp relay engine: {expected} ", StringComparison.Ordinal));
        await AssertRelaysAsync(plane);
    }

    [Fact]
    public async Task ForcedIoUring_OnAKernelThatRefusesIt_FallsBackToEpoll_AndSaysWhy()
    {
        using var backend = TestBackend.Echo();
        var logs = new CapturingLoggerFactory();
        await using var plane = await StartAsync(IoEngineChoice.IoUring, "io_uring", logs, backend, refusal: () => "io_uring_setup failed: errno 1 (EPERM: seccomp)");

        Assert.Equal("epoll", plane.IoEngine);
        Assert.Contains(logs.Messages, m => m.Contains("io_uring asked for by FULCRUM_IO_ENGINE but unavailable (io_uring_setup failed: errno 1", StringComparison.Ordinal));
        await AssertRelaysAsync(plane);
    }

    [Fact]
    public async Task UnknownEnvironmentValue_IsIgnoredWithAWarning_TheConfigDecides()
    {
        using var backend = TestBackend.Echo();
        var logs = new CapturingLoggerFactory();
        await using var plane = await StartAsync(IoEngineChoice.Epoll, "kqueue", logs, backend, refusal: null);

        Assert.Equal("epoll", plane.IoEngine);
        Assert.Contains(logs.Messages, m => m.Contains("FULCRUM_IO_ENGINE=kqueue is not epoll, io_uring or auto; ignored", StringComparison.Ordinal));
    }

    private static async Task<TcpDataPlane> StartAsync(IoEngineChoice configured, string? variable, CapturingLoggerFactory logs, TestBackend backend, Func<string?>? refusal)
    {
        var config = new FulcrumConfig { IoEngine = configured, Listeners = [L4Harness.Listener()], Pools = [L4Harness.PoolOf("p", backend)] };
        var store = new TopologyStore(config, new BalancerServices(TimeProvider.System, Random.Shared));
        var plane = new TcpDataPlane(store, logs) { IoEngineVariable = () => variable, UringRefusal = refusal };
        await plane.StartAsync(CancellationToken.None);
        return plane;
    }

    private static async Task AssertRelaysAsync(TcpDataPlane plane)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(plane.BoundEndpoints["front"]);
        await client.SendAsync("ping\n");
        Assert.Equal("ping\n", Encoding.ASCII.GetString(await Poll.Within(client.ReadExactlyAsync(5))));
    }
}
