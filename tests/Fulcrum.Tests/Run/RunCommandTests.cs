using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Run;

public sealed class RunCommandTests
{
    [Fact]
    public async Task Run_ServesRequests_ThroughTheConfiguredPool()
    {
        await using var backends = await Backends.StartAsync(2);
        using var file = new ConfigFile(ConfigFile.Yaml(backends.All));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var url = await fulcrum.WaitForListenerAsync();
        using var client = TestHttp.CreateClient();

        var bodies = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var (status, body) = await TestHttp.GetAsync(client, url);
            Assert.Equal(HttpStatusCode.OK, status);
            bodies.Add(body);
        }

        Assert.Equal(["b1", "b2"], bodies.Distinct().Order());
        await fulcrum.WaitForLineAsync(new Regex(@"started: generation 1\b"));
    }

    [Fact]
    public async Task Run_BadConfig_ExitsTwo_WithoutServing()
    {
        using var file = new ConfigFile("listeners: [ { name: web, bind: nowhere } ]\n");

        var (code, process) = await FulcrumProcess.RunToEndAsync("run", "-c", file.Path);
        await using var _ = process;

        Assert.True(code == 2, process.Output);
        Assert.Contains(process.StderrLines, l => l.StartsWith(file.Path + ":1:", StringComparison.Ordinal));
        Assert.DoesNotContain(process.StdoutLines, l => l.Contains("serving on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_PortInUse_ExitsOne_AndSaysWhy()
    {
        await using var backends = await Backends.StartAsync(1);
        using var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        var port = ((IPEndPoint)occupier.LocalEndpoint).Port;
        using var file = new ConfigFile(ConfigFile.Yaml(backends.All).Replace("127.0.0.1:0", $"127.0.0.1:{port}", StringComparison.Ordinal));

        var (code, process) = await FulcrumProcess.RunToEndAsync("run", "-c", file.Path);
        await using var _ = process;

        Assert.True(code == 1, process.Output);
        Assert.Contains(process.StdoutLines, l => l.Contains("cannot start", StringComparison.Ordinal));
    }
}
