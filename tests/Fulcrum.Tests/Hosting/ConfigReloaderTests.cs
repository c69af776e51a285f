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

    [Fact]
    public async Task FileWatch_AFileWrittenBesideTheConfigWithoutPause_DoesNotHoldOffTheReload()
    {
        await using var backends = await Backends.StartAsync(2);
        using var file = new ConfigFile(ConfigFile.Yaml(backends[0]));
        var store = new TopologyStore(ConfigLoader.LoadFile(file.Path).Config!);
        using var reloader = new ConfigReloader(file.Path, store, NullLogger<ConfigReloader>.Instance, handleSighup: false);
        var applied = new TaskCompletionSource<ReloadOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        reloader.Reloaded += o => { if (o.Applied) applied.TrySetResult(o); };
        reloader.Start();

        // An access log beside the config, written far more often than the debounce: its events must not
        // keep putting the reload off.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var neighbour = new Thread(() =>
        {
            using var log = new FileStream(Path.Combine(file.Directory, "access.log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1);
            while (!stop.IsCancellationRequested)
            {
                log.Write("{\"status\":200}\n"u8);
                log.Flush();
                Thread.Sleep(1); // pacing, a write a millisecond or so, not waiting for anything
            }
        }) { IsBackground = true };
        neighbour.Start();

        file.ReplaceAtomically(ConfigFile.Yaml(backends[1]));
        var outcome = await applied.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        neighbour.Join();

        Assert.Equal(ReloadTrigger.FileChange, outcome.Trigger);
        Assert.Equal(backends[1].Address, store.Current.Pools["app"].Backends.Single().Address);
    }

    [Fact]
    public async Task FileWatch_KubernetesStyleSymlinkSwap_Reloads()
    {
        await using var backends = await Backends.StartAsync(2);
        using var file = new ConfigFile(ConfigFile.Yaml(backends[0]));
        // As a ConfigMap volume: fulcrum.yaml -> ..data/fulcrum.yaml, ..data -> ..v1; an update writes ..v2
        // and renames a new ..data link over the old one, never touching fulcrum.yaml itself.
        Directory.CreateDirectory(Path.Combine(file.Directory, "..v1"));
        File.Move(file.Path, Path.Combine(file.Directory, "..v1", "fulcrum.yaml"));
        File.CreateSymbolicLink(Path.Combine(file.Directory, "..data"), "..v1");
        File.CreateSymbolicLink(file.Path, Path.Combine("..data", "fulcrum.yaml"));
        var store = new TopologyStore(ConfigLoader.LoadFile(file.Path).Config!);
        using var reloader = new ConfigReloader(file.Path, store, NullLogger<ConfigReloader>.Instance, handleSighup: false);
        var applied = new TaskCompletionSource<ReloadOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        reloader.Reloaded += o => { if (o.Applied) applied.TrySetResult(o); };
        reloader.Start();

        Directory.CreateDirectory(Path.Combine(file.Directory, "..v2"));
        File.WriteAllText(Path.Combine(file.Directory, "..v2", "fulcrum.yaml"), ConfigFile.Yaml(backends[1]));
        File.CreateSymbolicLink(Path.Combine(file.Directory, "..data_tmp"), "..v2");
        Posix.Rename(Path.Combine(file.Directory, "..data_tmp"), Path.Combine(file.Directory, "..data"));

        var outcome = await applied.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ReloadTrigger.FileChange, outcome.Trigger);
        Assert.Equal(backends[1].Address, store.Current.Pools["app"].Backends.Single().Address);
    }
}
