using Fulcrum.Core.Model;

namespace Fulcrum.Tests.Health;

public sealed class PanicEndToEndTests
{
    private const string Pool = """
            algorithm: round-robin
            health:
              active: { path: /health, interval: 200ms, timeout: 500ms, rise: 1, fall: 1 }
              panic-threshold: 50%
        """;

    [Fact]
    public async Task Panic_EngagesBelowTheThreshold_SpreadsOverAll_AndReleasesAtIt()
    {
        var backends = new[] { await HealthBackend.StartAsync("b1"), await HealthBackend.StartAsync("b2"), await HealthBackend.StartAsync("b3"), await HealthBackend.StartAsync("b4") };
        try
        {
            await using var lb = await HealthHarness.StartAsync(HealthHarness.Yaml(Pool, backends));
            var pool = lb.Pool();

            // 2 of 4 up: not below 50%, no panic; only the healthy two serve.
            backends[0].HealthFails = backends[1].HealthFails = true;
            await Poll.UntilAsync(() => pool.Backends.Count(b => b.Health == HealthStatus.Down) == 2, "two down");
            Assert.False(pool.InPanic);
            Assert.Equal(["b3", "b4"], (await ServedBy(lb, 20)).Order());

            // 1 of 4 up: panic, every backend serves again.
            backends[2].HealthFails = true;
            await Poll.UntilAsync(() => pool.InPanic, "panic");
            Assert.True((await lb.PoolViewAsync()).GetProperty("panic").GetBoolean());
            Assert.Equal(["b1", "b2", "b3", "b4"], (await ServedBy(lb, 40)).Order());

            // Back to 2 of 4: panic releases.
            backends[2].HealthFails = false;
            await Poll.UntilAsync(() => !pool.InPanic, "panic released");
            Assert.False((await lb.PoolViewAsync()).GetProperty("panic").GetBoolean());
            Assert.Equal(["b3", "b4"], (await ServedBy(lb, 20)).Order());
        }
        finally
        {
            foreach (var b in backends) await b.DisposeAsync();
        }
    }

    private static async Task<HashSet<string>> ServedBy(HealthHarness lb, int requests)
    {
        var seen = new HashSet<string>();
        for (var i = 0; i < requests; i++) seen.Add(await lb.Client.GetStringAsync("/"));
        return seen;
    }
}
