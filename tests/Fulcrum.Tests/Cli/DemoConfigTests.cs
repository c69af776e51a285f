using Fulcrum.Demo;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Cli;

public sealed class DemoConfigTests
{
    [Fact]
    public async Task EmbeddedDemoYaml_ParsesIntoThreeBackendsBehindOneListener_WithTheRealPorts()
    {
        await using var backends = await Backends.StartAsync(3);

        using var certificate = DemoCertificate.Create();
        var result = DemoConfig.Create(backends.All, port: 0, adminPort: 0, certificate);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var config = result.Config!;
        Assert.Equal([DemoConfig.ListenerName, DemoConfig.HttpsListenerName], config.Listeners.Select(l => l.Name));
        Assert.Empty(Fulcrum.L7.Tls.TlsConfigCheck.Check(config));
        var pool = config.Pools.Single(p => p.Name == DemoConfig.PoolName);
        Assert.Equal(DemoConfig.PoolName, pool.Name);
        Assert.Equal(backends.All.Select(b => b.Address), pool.Backends.Select(b => b.Address));
        Assert.NotNull(pool.Health.Active);
    }

    [Fact]
    public void DemoDocsPage_ShowsTheEmbeddedConfig_Verbatim()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Fulcrum.slnx"))) root = root.Parent;
        Assert.NotNull(root);
        var page = File.ReadAllText(Path.Combine(root.FullName, "docs", "demo.md")).ReplaceLineEndings("\n");

        Assert.Contains("```yaml not-config\n" + DemoConfig.Template().ReplaceLineEndings("\n") + "```", page, StringComparison.Ordinal);
    }
}
