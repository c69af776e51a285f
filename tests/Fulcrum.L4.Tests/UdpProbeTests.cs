using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.Health.Probes;
using Fulcrum.L4.Tests.Support;

namespace Fulcrum.L4.Tests;

public sealed class UdpProbeTests
{
    [Fact]
    public async Task Passes_WhenTheBackendAnswersWithTheExpectedText()
    {
        using var echo = new UdpEchoBackend("dns1");
        using var probe = new UdpProbe();
        var config = new ActiveHealthConfig { Type = HealthCheckType.Udp, Send = "hex:6869", Body = "dns1|hi" };

        var result = await probe.ProbeAsync(new Backend("b", echo.Address, 1), config, Timeout(30_000));

        Assert.True(result.Passed, result.Detail);
    }

    [Fact]
    public async Task Fails_WhenTheReplyLacksTheExpectedText()
    {
        using var echo = new UdpEchoBackend("dns1");
        using var probe = new UdpProbe();
        var config = new ActiveHealthConfig { Type = HealthCheckType.Udp, Send = "ping", Body = "pong" };

        var result = await probe.ProbeAsync(new Backend("b", echo.Address, 1), config, Timeout(30_000));

        Assert.False(result.Passed);
    }

    [Fact]
    public async Task Fails_WhenNothingAnswers()
    {
        // A bound socket that never replies: the probe must time out rather than pass.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var probe = new UdpProbe();
        var address = $"127.0.0.1:{((IPEndPoint)silent.LocalEndPoint!).Port}";

        var result = await probe.ProbeAsync(new Backend("b", address, 1), new ActiveHealthConfig { Type = HealthCheckType.Udp }, Timeout(300));

        Assert.Equal("failed: timeout", result.Detail);
    }

    private static CancellationToken Timeout(int ms) => new CancellationTokenSource(ms).Token;
}
