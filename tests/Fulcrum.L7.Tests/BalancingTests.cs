using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests;

public sealed class BalancingTests
{
    [Fact]
    public async Task RoundRobin_300RequestsOver3Backends_GivesExactly100Each()
    {
        await using var backends = await Backends.StartAsync("a", "b", "c");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")), Pool("app", backends.All)));

        var counts = new Dictionary<string, int>();
        for (var i = 0; i < 300; i++)
        {
            var name = await proxy.Client.GetStringAsync("/");
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }

        Assert.Equal(100, counts["a"]);
        Assert.Equal(100, counts["b"]);
        Assert.Equal(100, counts["c"]);
        Assert.All(backends.All, b => Assert.Equal(100, proxy.Pool("app").Find(b.Name)!.Stats.Total));
    }
}
