using System.Net;

namespace Fulcrum.Tests.Health;

public sealed class ReloadEndToEndTests
{
    private const string Pool = """
            algorithm: round-robin
            drain-timeout: 30s
        """;

    [Fact]
    public async Task RemovingABackendByReload_UnderLoad_FailsNoRequest_AndItStopsGettingWork()
    {
        await using var b1 = await HealthBackend.StartAsync("b1");
        await using var b2 = await HealthBackend.StartAsync("b2");
        await using var b3 = await HealthBackend.StartAsync("b3");
        await using var lb = await HealthHarness.StartAsync(HealthHarness.Yaml(Pool, b1, b2, b3), fromFile: true);
        var load = lb.StartLoad(workers: 4, path: "/?delay=20");
        await Poll.UntilAsync(() => b3.Requests >= 20 && b3.Active > 0, "load on b3");

        await File.WriteAllTextAsync(lb.File!, HealthHarness.Yaml(Pool, b1, b2));
        using var reload = await lb.Admin.PostAsync("api/reload", null);
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        Assert.Null(lb.Pool().Find("b3"));
        await Poll.UntilAsync(() => lb.Host.Store.Retiring("app").Count == 0, "b3 drained and removed");
        var afterRemoval = b3.Requests;
        var count = load.Count;
        await Poll.UntilAsync(() => load.Count >= count + 100, "load after the reload");
        var answers = await load.StopAsync();

        Assert.Equal(afterRemoval, b3.Requests);
        var failed = answers.Where(a => a.Status != 200).ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} of {answers.Count} failed, e.g. {failed.FirstOrDefault()}");
    }
}
