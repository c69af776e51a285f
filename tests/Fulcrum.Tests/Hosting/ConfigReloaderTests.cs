using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.Hosting;
using Fulcrum.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.Tests.Hosting;

public sealed class ConfigReloaderTests
{
    private static readonly FulcrumConfig Running = new()
    {
        Listeners = [new ListenerConfig { Name = "web", Bind = new BindAddress(IPAddress.Loopback, 0), Routes = [new RouteConfig { Pool = "app" }] }],
        Pools = [new PoolConfig { Name = "app", Backends = [new BackendConfig { Name = "b1", Address = "127.0.0.1:9" }] }],
    };

    [Fact]
    public void Reload_BadFile_KeepsTheRunningTopology_AndReturnsLocatedErrors()
    {
        using var file = new ConfigFile("pools:\n  - name: app\n    algorithm: [not, a, name]\n");
        var store = new TopologyStore(Running);
        var before = store.Current;
        using var reloader = new ConfigReloader(file.Path, store, NullLogger<ConfigReloader>.Instance);
        var seen = new List<ReloadOutcome>();
        reloader.Reloaded += seen.Add;

        var outcome = reloader.Reload(ReloadTrigger.Admin);

        Assert.False(outcome.Applied);
        Assert.Equal(1, outcome.Generation);
        Assert.Same(before, store.Current);
        Assert.NotEmpty(outcome.Errors);
        Assert.All(outcome.Errors, e => Assert.Equal(file.Path, e.Location.File));
        Assert.Equal([outcome], seen);
    }

    [Fact]
    public void Reload_MissingFile_IsRejected_NotThrown()
    {
        using var file = new ConfigFile("");
        File.Delete(file.Path);
        var store = new TopologyStore(Running);
        using var reloader = new ConfigReloader(file.Path, store, NullLogger<ConfigReloader>.Instance);

        var outcome = reloader.Reload(ReloadTrigger.Signal);

        Assert.False(outcome.Applied);
        Assert.Equal(1, store.Current.Generation);
    }

    [Fact]
    public async Task Reload_GoodFile_AppliesTheNextGeneration_KeepingSurvivingBackends()
    {
        await using var backends = await Backends.StartAsync(2);
        using var file = new ConfigFile(ConfigFile.Yaml(backends[0]));
        var first = ConfigLoader.LoadFile(file.Path);
        Assert.True(first.IsValid, string.Join("\n", first.Errors));
        var store = new TopologyStore(first.Config!);
        var kept = store.Current.Pools["app"].Find("b1");
        using var reloader = new ConfigReloader(file.Path, store, NullLogger<ConfigReloader>.Instance);

        file.Overwrite(ConfigFile.Yaml(backends[0], backends[1]));
        var outcome = reloader.Reload(ReloadTrigger.Admin);

        Assert.True(outcome.Applied, string.Join("\n", outcome.Errors));
        Assert.Equal(2, store.Current.Generation);
        Assert.Same(kept, store.Current.Pools["app"].Find("b1"));
        Assert.NotNull(store.Current.Pools["app"].Find("b2"));
    }

    [Fact]
    public async Task FileWatch_ReloadsOnlyWhenTheBytesChanged()
    {
        await using var backends = await Backends.StartAsync(2);
        using var file = new ConfigFile(ConfigFile.Yaml(backends[0]));
        var store = new TopologyStore(ConfigLoader.LoadFile(file.Path).Config!);
        using var reloader = new ConfigReloader(file.Path, store, NullLogger<ConfigReloader>.Instance, handleSighup: false);
        reloader.Start(watchFile: false);

        // A touch, or a save of the same text, is not a new config.
        File.SetLastWriteTimeUtc(file.Path, DateTime.UtcNow.AddMinutes(1));
        file.Overwrite(ConfigFile.Yaml(backends[0]));
        Assert.Null(reloader.ReloadIfChanged());
        Assert.Equal(1, store.Current.Generation);

        file.ReplaceAtomically(ConfigFile.Yaml(backends[1]));
        var outcome = reloader.ReloadIfChanged();
        Assert.NotNull(outcome);
        Assert.True(outcome.Applied);
        Assert.Equal(ReloadTrigger.FileChange, outcome.Trigger);
        Assert.Equal(2, store.Current.Generation);

        // Once loaded, the same bytes again are not reloaded a second time.
        Assert.Null(reloader.ReloadIfChanged());
        Assert.Equal(2, store.Current.Generation);
    }

    [Fact]
    public async Task FileWatch_RejectedFile_IsNotRetriedUntilItChanges()
    {
        await using var backends = await Backends.StartAsync(1);
        using var file = new ConfigFile(ConfigFile.Yaml(backends[0]));
        var store = new TopologyStore(ConfigLoader.LoadFile(file.Path).Config!);
        using var reloader = new ConfigReloader(file.Path, store, NullLogger<ConfigReloader>.Instance, handleSighup: false);
        reloader.Start(watchFile: false);

        file.Overwrite("pools: [");
        Assert.False(reloader.ReloadIfChanged()!.Applied);
        Assert.Null(reloader.ReloadIfChanged());
        Assert.Equal(1, store.Current.Generation);
    }
}
