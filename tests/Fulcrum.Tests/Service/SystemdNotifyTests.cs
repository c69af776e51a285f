using System.Net;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Service;

/// <summary>
/// `fulcrum run` under systemd's Type=notify, with NOTIFY_SOCKET pointing at a socket this test reads as systemd would:
/// READY once the listeners serve, RELOADING then READY around a reload, STOPPING when the drain begins, and
/// WATCHDOG at half of WatchdogSec.
/// </summary>
public sealed class SystemdNotifyTests
{
    [Fact]
    public async Task Run_TellsSystemd_ReadyOnceListenersServe_ReloadingThenReady_Stopping_AndPingsTheWatchdog()
    {
        await using var backends = await Backends.StartAsync(1);
        using var file = new ConfigFile(ConfigFile.Yaml(backends.All));
        using var systemd = new NotifySocket(Path.Combine(file.Directory, "notify.sock"));
        await using var fulcrum = FulcrumProcess.Start(new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = systemd.Path,
            ["WATCHDOG_USEC"] = "1000000",
        }, "run", "-c", file.Path);

        var ready = await systemd.WaitForAsync("READY=1", () => fulcrum.Output);
        // READY=1 comes after the listener serves: a request made now is answered.
        var url = await fulcrum.WaitForListenerAsync();
        using var client = TestHttp.CreateClient();
        Assert.Equal((HttpStatusCode.OK, "b1"), await TestHttp.GetAsync(client, url));
        Assert.Contains($"MAINPID={fulcrum.Id}", ready, StringComparison.Ordinal);
        Assert.Contains("STATUS=serving generation 1", ready, StringComparison.Ordinal);
        await systemd.WaitForAsync("WATCHDOG=1", () => fulcrum.Output);

        fulcrum.Signal(Posix.SIGHUP);
        var reloading = await systemd.WaitForAsync("RELOADING=1", () => fulcrum.Output);
        Assert.Matches(@"MONOTONIC_USEC=\d+", reloading);
        var reloaded = await systemd.WaitForAsync("READY=1", () => fulcrum.Output, after: reloading);
        Assert.Contains("STATUS=serving generation 2", reloaded, StringComparison.Ordinal);

        fulcrum.Signal(Posix.SIGTERM);
        await systemd.WaitForAsync("STOPPING=1", () => fulcrum.Output);
        Assert.True(await fulcrum.WaitForExitAsync() == 0, fulcrum.Output);

        var order = systemd.Messages.Select(m => m.Split('\n')[0]).Where(first => first != "WATCHDOG=1").ToList();
        Assert.Equal(["READY=1", "RELOADING=1", "READY=1", "STOPPING=1"], order);
        Assert.True(systemd.Messages.Count(m => m == "WATCHDOG=1") >= 1);
    }

    [Fact]
    public async Task Run_WithoutNotifySocket_SaysNothingAboutSystemd()
    {
        await using var backends = await Backends.StartAsync(1);
        using var file = new ConfigFile(ConfigFile.Yaml(backends.All));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        await fulcrum.WaitForListenerAsync();

        Assert.DoesNotContain(fulcrum.StdoutLines, l => l.Contains("systemd", StringComparison.Ordinal));
    }
}
