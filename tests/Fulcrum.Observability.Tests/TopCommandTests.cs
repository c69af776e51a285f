using System.Text.RegularExpressions;
using Fulcrum.Observability.Tests.Support;

namespace Fulcrum.Observability.Tests;

public sealed class TopCommandTests
{
    [Fact]
    public async Task Top_UnderTmux_ShowsEveryBackend_WithItsStateAndNumbers()
    {
        var tmux = Tools.Find("tmux");
        if (tmux is null) Assert.Fail("tmux is not installed: run scripts/install-deps.sh");
        await using var lb = await ObservedBalancer.StartAsync(2);
        for (var i = 0; i < 20; i++) await lb.GetAsync();
        var fulcrum = Path.Combine(AppContext.BaseDirectory, "fulcrum.dll");
        var session = "fulcrum-top-" + Guid.NewGuid().ToString("N")[..8];
        var command = $"dotnet {fulcrum} top --admin http://{lb.Host.AdminEndpoint} --interval 500ms; sleep 60";
        var (code, output) = await Tools.RunAsync(tmux, $"new-session -d -s {session} -x 150 -y 30 \"{command}\"");
        Assert.True(code == 0, output);
        try
        {
            // Each backend's row: state, health, weight, active, req/s, then p50 and p99 over the requests of the
            // last refreshes, and failures. Traffic flows while top samples, so the quantiles have data.
            var rows = lb.Backends.Select(b => new Regex($@"│\s+{b.Name}\s+│\s+up\s+│\s+up\s+│\s+1\s+│\s+\d+\s+│\s+[\d.]+\s+│\s+[\d.]+ ms\s+│\s+[\d.]+ ms\s+│\s+0\s+│")).ToList();
            var screen = "";
            await Poll.UntilAsync(async () =>
            {
                for (var i = 0; i < 4; i++) await lb.GetAsync();
                screen = (await Tools.RunAsync(tmux, $"capture-pane -p -t {session}")).Output;
                return rows.All(r => r.IsMatch(screen)) && Regex.IsMatch(screen, @"^\s*web\s+http\s+127\.0\.0\.1:\d+\s+\d+\s+[\d.]+\s+[1-9]\d*\s*$", RegexOptions.Multiline);
            }, "fulcrum top to show both backends with their numbers and the listener");

            Assert.Contains("fulcrum top", screen, StringComparison.Ordinal);
        }
        finally
        {
            await Tools.RunAsync(tmux, $"kill-session -t {session}");
        }
    }
}
