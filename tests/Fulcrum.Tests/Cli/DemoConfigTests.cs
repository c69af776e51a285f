using Fulcrum.Demo;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Cli;

public sealed class DemoConfigTests
{
    [Fact]
    public async Task EmbeddedDemoYaml_ParsesIntoThreeBackendsBehindOneListener_WithTheRealPorts()
    {
        await using var backends = await Backends.StartAsync(3);

        var result = DemoConfig.Create(backends.All, port: 0, adminPort: 0);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var config = result.Config!;
        Assert.Equal(DemoConfig.ListenerName, Assert.Single(config.Listeners).Name);
        var pool = Assert.Single(config.Pools);
        Assert.Equal(DemoConfig.PoolName, pool.Name);
        Assert.Equal(backends.All.Select(b => b.Address), pool.Backends.Select(b => b.Address));
        Assert.NotNull(pool.Health.Active);
    }
}
