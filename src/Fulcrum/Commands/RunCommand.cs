using System.CommandLine;
using Fulcrum.Core.Configuration;
using Fulcrum.Hosting;
using Fulcrum.Service;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Commands;

/// <summary>`fulcrum run -c FILE`: serve until SIGTERM/SIGINT, reloading on SIGHUP or a changed file.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var drainTimeout = CommonOptions.DrainTimeout();
        var logLevel = CommonOptions.LogLevel();
        var noWatch = new Option<bool>("--no-watch")
        {
            Description = "Do not reload when the config file changes on disk (SIGHUP still reloads).",
        };
        var command = new Command("run", "Run the balancer. SIGHUP or a changed file reloads; SIGTERM/SIGINT drains, then exits 0.")
        {
            config,
            drainTimeout,
            logLevel,
            noWatch,
        };
        command.SetAction((parsed, _) => RunAsync(
            parsed.GetRequiredValue(config),
            parsed.GetValue(drainTimeout),
            parsed.GetValue(logLevel),
            watchFile: !parsed.GetValue(noWatch)));
        return command;
    }

    public static async Task<int> RunAsync(string path, TimeSpan drainTimeout, LogLevel logLevel, bool watchFile)
    {
        var loaded = Hosting.ConfigFiles.Load(path);
        if (!loaded.IsValid)
        {
            ValidateCommand.WriteErrors(loaded, Console.Error);
            return ExitCodes.BadUsage;
        }

        // Registered before anything binds, so a signal during start-up still drains rather than kills.
        using var shutdown = new ShutdownSignal();
        using var loggerFactory = HostLogging.Create(logLevel);
        var log = loggerFactory.CreateLogger("Fulcrum.Run");
        await using var host = new BalancerHost(loaded.Config!, loggerFactory, path);
        using var service = ServiceNotifications.Attach(host, log);
        if (!await TryStartAsync(host, log, watchFile))
        {
            return ExitCodes.RuntimeFailure;
        }

        service?.Ready();
        await shutdown.Requested;
        host.BeginDrain();
        await AcceptGraceAsync(host, shutdown, log);
        HostLog.Draining(log, drainTimeout);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Forced);
        deadline.CancelAfter(drainTimeout);
        await host.StopAsync(deadline.Token);
        return ExitCodes.Success;
    }

    /// <summary>
    /// `shutdown.accept-grace`: the listeners keep accepting while /healthz says 503 and keepalived moves the virtual IP
    /// away, so nothing is refused while clients still arrive. A second signal ends the wait.
    /// </summary>
    private static async Task AcceptGraceAsync(BalancerHost host, ShutdownSignal shutdown, ILogger log)
    {
        var grace = host.Store.Current.Config.Shutdown.AcceptGrace;
        if (grace <= TimeSpan.Zero) return;
        HostLog.AcceptGrace(log, grace);
        try
        {
            await Task.Delay(grace, shutdown.Forced);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Starts the host; a failure (a port in use, a missing certificate) is logged and reported, not thrown.</summary>
    internal static async Task<bool> TryStartAsync(BalancerHost host, ILogger log, bool watchFile)
    {
        try
        {
            await host.StartAsync(CancellationToken.None, watchFile);
            return true;
        }
        catch (Exception e)
        {
            HostLog.StartFailed(log, e.Message);
            HostLog.StartFailedDetail(log, e);
            return false;
        }
    }
}
