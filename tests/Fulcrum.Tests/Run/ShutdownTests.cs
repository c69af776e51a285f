using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
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

    [Fact]
    public async Task Sigterm_WithAnAcceptGrace_Says503AtOnce_ClosesIdleConnections_AndKeepsAcceptingUntilTheGraceEnds()
    {
        await using var backends = await Backends.StartAsync(1);
        using var file = new ConfigFile("admin:\n  bind: 127.0.0.1:0\nshutdown:\n  accept-grace: 4s\n" + ConfigFile.Yaml(backends.All));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var url = await fulcrum.WaitForListenerAsync();
        var admin = new Uri((await fulcrum.WaitForLineAsync(new Regex(@"admin API serving on (\S+)"))).Groups[1].Value + "/healthz");
        using var client = TestHttp.CreateClient();
        // A keep-alive connection, idle when the signal comes.
        using var idle = new TcpClient();
        await idle.ConnectAsync(url.Host, url.Port);
        var stream = idle.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {url.Authority}\r\n\r\n"));
        var buffer = new byte[4096];
        Assert.True(await stream.ReadAsync(buffer) > 0);

        fulcrum.Signal(Posix.SIGTERM);

        await Poll.UntilAsync(async () => (await client.GetAsync(admin)).StatusCode == HttpStatusCode.ServiceUnavailable, "/healthz to say 503");
        // The idle connection is closed by the balancer (its client reconnects, to whoever holds the address then):
        // what is left of the first answer, then the end of the stream.
        await Poll.Within(ReadToEndAsync(stream, buffer));
        // New connections are still served, each answer closing its connection, until the grace ends.
        using (var response = await client.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(response.Headers.ConnectionClose);
        }

        Assert.True(await fulcrum.WaitForExitAsync() == 0, fulcrum.Output);
        var lines = fulcrum.StdoutLines.ToList();
        var asked = lines.FindIndex(l => l.Contains("stop asked: /healthz answers 503; listeners keep accepting for 00:00:04 (shutdown.accept-grace), then drain", StringComparison.Ordinal));
        var draining = lines.FindIndex(l => l.Contains("draining: listeners closed to new work", StringComparison.Ordinal));
        Assert.True(asked >= 0 && draining > asked, fulcrum.Output);
    }

    private static async Task ReadToEndAsync(NetworkStream stream, byte[] buffer)
    {
        while (await stream.ReadAsync(buffer) > 0)
        {
        }
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
