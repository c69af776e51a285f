using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests;

/// <summary>
/// An http plane whose listening sockets another process took over (docs/ha.md, "Zero-downtime upgrade"): it stops
/// accepting at once but closes a keep-alive connection only after its next answer, which says `Connection: close`,
/// so no client ever sends a request onto a connection the server is closing.
/// </summary>
public sealed class HandoverTests
{
    [Theory]
    [InlineData(HttpFrontEnd.Fulcrum)]
    [InlineData(HttpFrontEnd.Kestrel)]
    public async Task AfterATakeover_AnIdleKeepAliveConnection_ClosesAfterItsNextAnswer_NotUnderIt(HttpFrontEnd frontEnd)
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")) with { FrontEnd = frontEnd }, Pool("app", backends.All)));
        var port = proxy.Plane.BoundEndpoints["web"].Port;
        using (var first = await proxy.Client.GetAsync("/")) Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        proxy.Plane.HandedOver = true;
        using var deadline = new CancellationTokenSource(Poll.Deadline);
        var stopping = proxy.Plane.StopAsync(deadline.Token);
        await Poll.UntilAsync(() => IsRefused(port), "the listener to stop accepting");
        Assert.False(stopping.IsCompleted); // the idle connection is still open

        using var second = await proxy.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("a", await second.Content.ReadAsStringAsync());
        Assert.True(second.Headers.ConnectionClose);
        await stopping.WaitAsync(Poll.Deadline);
    }

    private static bool IsRefused(int port)
    {
        try
        {
            using var s = new System.Net.Sockets.TcpClient();
            s.Connect(IPAddress.Loopback, port);
            return false;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return true;
        }
    }
}
