using System.Diagnostics;
using Fulcrum.Core.Model;

namespace Fulcrum.Tests.Health;

public sealed class ActiveCheckEndToEndTests
{
    // The budget is generous here: with 4 clients, the moment of the kill has 3 or 4 retries in flight at once,
    // more than Envoy's default floor of 3 (the budget's own behaviour is tested in Core).
    private const string Pool = """
            algorithm: round-robin
            health:
              active: { path: /health, interval: 300ms, timeout: 300ms, rise: 2, fall: 3, jitter: 10% }
              passive: { consecutive-failures: 0 }
            retries: { attempts: 3, on: [connect-failure, 502, 503], budget: 100%, min-retries: 10 }
        """;

    [Fact]
    public async Task BackendKilledUnderLoad_IsDownWithinFallTimesInterval_NoClientFails_AndItReturnsAfterRestart()
    {
        await using var b1 = await HealthBackend.StartAsync("b1");
        await using var b2 = await HealthBackend.StartAsync("b2");
        await using var b3 = await HealthBackend.StartAsync("b3");
        await using var lb = await HealthHarness.StartAsync(HealthHarness.Yaml(Pool, b1, b2, b3));
        var victim = lb.Pool().Find("b2")!;
        await Poll.UntilAsync(() => victim.HealthDetail.LastProbe is not null, "a first probe of b2");

        var load = lb.StartLoad();
        await Poll.UntilAsync(() => load.Count >= 100, "some load before the kill");
        var killedAt = Stopwatch.StartNew();
        await b2.KillAsync();
        await Poll.UntilAsync(() => victim.Health == HealthStatus.Down, "b2 marked down");
        var downAfter = killedAt.Elapsed;
        var before = load.Count;
        await Poll.UntilAsync(() => load.Count >= before + 100, "load after b2 is down");

        await b2.RestartAsync();
        var restartedAt = Stopwatch.StartNew();
        await Poll.UntilAsync(() => victim.Health == HealthStatus.Up, "b2 up again");
        var upAfter = restartedAt.Elapsed;
        var answers = await load.StopAsync();

        // fall x interval + one timeout = 1.2 s, plus jitter (10%) and up to one interval for the probe in flight
        // at the kill; the slack covers a busy 2-core machine.
        Assert.True(downAfter < TimeSpan.FromSeconds(1.2 + 0.4 + 2.5), $"down after {downAfter}");
        // rise x interval = 0.6 s plus jitter and one interval until the next probe.
        Assert.True(upAfter < TimeSpan.FromSeconds(0.6 + 0.4 + 2.5), $"up after {upAfter}");
        var failed = answers.Where(a => a.Status != 200).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} of {answers.Count} failed, e.g. {failed.FirstOrDefault()}");
        Assert.Contains(answers, a => a.Backend == "b1");
    }

    [Fact]
    public async Task FailingHealthPath_TakesTheBackendOutOfRotation_AndThePoolViewSaysWhy()
    {
        await using var b1 = await HealthBackend.StartAsync("b1");
        await using var b2 = await HealthBackend.StartAsync("b2");
        await using var lb = await HealthHarness.StartAsync(HealthHarness.Yaml(Pool, b1, b2));
        b2.HealthFails = true;
        await Poll.UntilAsync(() => lb.Pool().Find("b2")!.Health == HealthStatus.Down, "b2 down");

        var view = await lb.BackendViewAsync("b2");
        Assert.Equal("down", view.GetProperty("state").GetString());
        Assert.Contains("503", view.GetProperty("healthReason").GetString());
        var before = b2.Requests;
        for (var i = 0; i < 20; i++) Assert.Equal("b1", await lb.Client.GetStringAsync("/"));
        Assert.Equal(before, b2.Requests);

        b2.HealthFails = false;
        await Poll.UntilAsync(() => lb.Pool().Find("b2")!.Health == HealthStatus.Up, "b2 up");
    }
}
