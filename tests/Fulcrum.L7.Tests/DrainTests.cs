using System.Net;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests;

public sealed class DrainTests
{
    [Fact]
    public async Task Stop_LetsInFlightRequestsFinish_AndAcceptsNoNewOnes()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")), Pool("app", backends.All)));
        var port = proxy.Plane.BoundEndpoints["web"].Port;
        var inFlight = proxy.Client.GetAsync("/hold");
        await Poll.UntilAsync(() => backends[0].InFlight == 1, "the request to reach the backend");

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stopping = proxy.Plane.StopAsync(deadline.Token);
        await Poll.UntilAsync(() => IsRefused(port), "the listener to stop accepting");
        Assert.False(stopping.IsCompleted);

        backends[0].ReleaseHeld();
        using var response = await inFlight;
        await stopping;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("a", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Stop_WhenTheDeadlineFires_ClosesWhatIsLeft()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")), Pool("app", backends.All)));
        var inFlight = proxy.Client.GetAsync("/hold");
        await Poll.UntilAsync(() => backends[0].InFlight == 1, "the request to reach the backend");

        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await proxy.Plane.StopAsync(deadline.Token);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => inFlight);
        await Poll.UntilAsync(() => proxy.Pool("app").Backends[0].Stats.Active == 0, "the lease to be released");
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
