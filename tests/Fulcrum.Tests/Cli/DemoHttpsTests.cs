using System.Diagnostics;
using System.Text.RegularExpressions;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Cli;

public sealed class DemoHttpsTests
{
    [Fact]
    public async Task Demo_HttpsListener_SpeaksH2ToCurl_AndItsStickyPathKeepsOneBackend()
    {
        await using var demo = FulcrumProcess.Start("demo", "--port", "0", "--admin-port", "0", "--https-port", "0");
        var match = await demo.WaitForLineAsync(new Regex(@"https: https://localhost:(\d+)/"));
        var port = match.Groups[1].Value;
        var jar = Path.Combine(Path.GetTempPath(), $"fulcrum-demo-jar-{Guid.NewGuid():N}");
        try
        {
            var h2 = await CurlAsync($"-sk --http2 --resolve localhost:{port}:127.0.0.1 -w \" %{{http_version}}\" https://localhost:{port}/");
            Assert.Matches(@"^demo-\d\s+2$", h2);

            var sticky = new List<string>();
            for (var i = 0; i < 5; i++)
            {
                sticky.Add(await CurlAsync($"-sk -c {jar} -b {jar} --resolve localhost:{port}:127.0.0.1 https://localhost:{port}/sticky/"));
            }

            Assert.Single(sticky.Distinct());
            Assert.StartsWith("demo-", sticky[0], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(jar);
        }

        demo.Signal(Posix.SIGTERM);
        Assert.True(await demo.WaitForExitAsync() == 0, demo.Output);
    }

    private static async Task<string> CurlAsync(string arguments)
    {
        var start = new ProcessStartInfo("curl", "--max-time 20 " + arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"curl {arguments}: exit {process.ExitCode} {await stderr}");
        return (await stdout).Trim();
    }
}
