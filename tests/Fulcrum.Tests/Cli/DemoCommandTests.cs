using System.Net;
using System.Text.RegularExpressions;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Cli;

public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_OnPortZero_PrintsItsUrl_AndRoundRobinsOverThreeBackends_ThenStopsOnSigterm()
    {
        await using var demo = FulcrumProcess.Start("demo", "--port", "0", "--admin-port", "0", "--https-port", "0");
        var match = await demo.WaitForLineAsync(new Regex(@"balancer: (http://\S+)"));
        var url = new Uri(match.Groups[1].Value);
        using var client = TestHttp.CreateClient();

        var bodies = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var (status, body) = await TestHttp.GetAsync(client, url);
            Assert.Equal(HttpStatusCode.OK, status);
            bodies.Add(body);
        }

        Assert.Equal(["demo-1", "demo-2", "demo-3"], bodies.Distinct().Order());
        var (failing, failingBody) = await TestHttp.GetAsync(client, new Uri(url, "?status=503"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failing);
        Assert.StartsWith("demo-", failingBody, StringComparison.Ordinal);
        Assert.Contains(demo.StdoutLines, l => l.Contains("curl", StringComparison.Ordinal) && l.Contains("delay=", StringComparison.Ordinal));

        var admin = await demo.WaitForLineAsync(new Regex(@"admin API: (http://\S+)"));
        var (poolStatus, pool) = await TestHttp.GetAsync(client, new Uri(new Uri(admin.Groups[1].Value), "api/pools/demo"));
        Assert.Equal(HttpStatusCode.OK, poolStatus);
        Assert.Contains("demo-3", pool, StringComparison.Ordinal);

        // SIGTERM, not SIGINT: a shell that starts a job in the background without job control makes it ignore SIGINT.
        demo.Signal(Posix.SIGTERM);
        Assert.True(await demo.WaitForExitAsync() == 0, demo.Output);
    }
}
