using System.Diagnostics;
using System.Net;

namespace Fulcrum.Tests.Health;

public sealed class SlowStartEndToEndTests
{
    private const string Pool = """
            algorithm: weighted-round-robin
            slow-start: 6s
        """;

    [Fact]
    public async Task AnAddedBackendsShare_GrowsOverTheRamp_AndEndsAtItsWeightsShare()
    {
        await using var b1 = await HealthBackend.StartAsync("b1");
        await using var b2 = await HealthBackend.StartAsync("b2");
        await using var b3 = await HealthBackend.StartAsync("b3");
        await using var lb = await HealthHarness.StartAsync(HealthHarness.Yaml(Pool, b1, b2));

        using var add = await lb.Admin.PostAsync("api/pools/app/backends",
            new StringContent($$"""{"name": "b3", "address": "{{b3.Address}}", "weight": 10}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, add.StatusCode);
        var added = Stopwatch.StartNew();
        var b3Backend = lb.Pool().Find("b3")!;

        // Early in the ramp: its effective weight is a small share of 10 (the ramp starts at 10%).
        var early = await ShareOfB3(lb, 60);
        var earlyWeight = b3Backend.EffectiveWeight;
        Assert.True(added.Elapsed < TimeSpan.FromSeconds(4), $"the early sample took {added.Elapsed} of the 6 s ramp; the machine is too slow to tell");

        await Poll.UntilAsync(() => !b3Backend.InSlowStart, "the ramp to end");
        var late = await ShareOfB3(lb, 300);

        Assert.True(early < late, $"share early {early:P0} (effective weight {earlyWeight}), late {late:P0}");
        Assert.InRange(late, 1.0 / 3 - 0.05, 1.0 / 3 + 0.05);
        Assert.True(earlyWeight < 10, $"effective weight early {earlyWeight}");
    }

    private static async Task<double> ShareOfB3(HealthHarness lb, int requests)
    {
        var hits = 0;
        for (var i = 0; i < requests; i++)
        {
            if (await lb.Client.GetStringAsync("/") == "b3") hits++;
        }

        return (double)hits / requests;
    }
}
