using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Run;

public sealed class ShutdownTests
{
    [Fact]
    public async Task Sigterm_LetsInFlightRequestsFinish_ThenExitsZero()
    {
        await using var backends = await Backends.StartAsync(1);
        using var file = new ConfigFile(ConfigFile.Yaml(backends.All));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var url = await fulcrum.WaitForListenerAsync();
        using var client = TestHttp.CreateClient();

        const int InFlight = 4;
        var slow = new Uri(url, "?delay=1500");
        var requests = Enumerable.Range(0, InFlight).Select(_ => TestHttp.GetAsync(client, slow)).ToArray();
        await WaitUntilAsync(() => backends[0].ActiveRequests == InFlight, "the backend to hold every request");

        fulcrum.Signal(Posix.SIGTERM);

        foreach (var answer in await Task.WhenAll(requests))
        {
            Assert.Equal((HttpStatusCode.OK, "b1"), answer);
        }

        Assert.True(await fulcrum.WaitForExitAsync() == 0, fulcrum.Output);
        await fulcrum.WaitForLineAsync(new Regex(@"\bstopped$"));
    }

    [Fact]
    public async Task Sigterm_WithARequestLongerThanTheDrainTimeout_StopsAtTheDeadline_AndExitsZero()
    {
        await using var backends = await Backends.StartAsync(1);
        using var file = new ConfigFile(ConfigFile.Yaml(backends.All));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path, "--drain-timeout", "1s");
        var url = await fulcrum.WaitForListenerAsync();
        using var client = TestHttp.CreateClient();
        var endless = TestHttp.GetAsync(client, new Uri(url, "?delay=60000"));
        await WaitUntilAsync(() => backends[0].ActiveRequests == 1, "the backend to hold the request");

        var stopping = Stopwatch.StartNew();
        fulcrum.Signal(Posix.SIGTERM);

        Assert.True(await fulcrum.WaitForExitAsync() == 0, fulcrum.Output);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(20), $"took {stopping.Elapsed} to stop with a 1 s drain timeout");
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => endless);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed < FulcrumProcess.DefaultTimeout, $"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }
}
