using System.Net;
using System.Text.RegularExpressions;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Run;

/// <summary>docs/performance.md "Event-loop I/O": on by default, FULCRUM_IO=thread-pool turns it off; both proxy.</summary>
public sealed class EventLoopIoTests
{
    [Fact]
    public async Task Run_UsesEventLoopsByDefault_AndProxies()
    {
        var line = await ProxyAndReadIoLineAsync(new Dictionary<string, string>());
        Assert.Matches(@"event loops on \d+ threads", line);
    }

    [Fact]
    public async Task Run_WithFulcrumIoThreadPool_UsesTheThreadPool_AndProxies()
    {
        var line = await ProxyAndReadIoLineAsync(new Dictionary<string, string> { ["FULCRUM_IO"] = "thread-pool" });
        Assert.EndsWith("i/o: thread pool", line);
    }

    private static async Task<string> ProxyAndReadIoLineAsync(Dictionary<string, string> environment)
    {
        // A setting the test host's own environment might carry must not decide the outcome.
        environment.TryAdd("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "");
        await using var backends = await Backends.StartAsync(2);
        using var file = new ConfigFile(ConfigFile.Yaml(backends.All));
        await using var fulcrum = FulcrumProcess.Start(environment, "run", "-c", file.Path);
        var url = await fulcrum.WaitForListenerAsync();
        using var client = TestHttp.CreateClient();
        for (var i = 0; i < 20; i++)
        {
            var (status, _) = await TestHttp.GetAsync(client, url);
            Assert.Equal(HttpStatusCode.OK, status);
        }

        return (await fulcrum.WaitForLineAsync(new Regex(@"i/o: .*$"))).Value;
    }
}
