using System.CommandLine;
using Fulcrum.Core.Configuration;
using Fulcrum.Hosting;
using Fulcrum.Service;
using Fulcrum.Takeover;
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
        var takeover = new Option<string?>("--takeover")
        {
            Description = "A Unix socket path: take the listening sockets and state over from the process serving it, if one does, then serve it for the next.",
            HelpName = "PATH",
        };
        var command = new Command("run", "Run the balancer. SIGHUP or a changed file reloads; SIGTERM/SIGINT drains, then exits 0.")
        {
            config,
            drainTimeout,
            logLevel,
            noWatch,
            takeover,
        };
        command.SetAction((parsed, _) => RunAsync(
            parsed.GetRequiredValue(config),
            parsed.GetValue(drainTimeout),
            parsed.GetValue(logLevel),
            watchFile: !parsed.GetValue(noWatch),
            takeoverPath: parsed.GetValue(takeover)));
        return command;
    }

    /// <param name="takeoverPath">`--takeover`: the Unix socket to take over from and then to serve (docs/ha.md, "Zero-downtime upgrade").</param>
    public static async Task<int> RunAsync(string path, TimeSpan drainTimeout, LogLevel logLevel, bool watchFile, string? takeoverPath = null)
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
        var takeoverLog = loggerFactory.CreateLogger("Fulcrum.Takeover");
        TakeoverClient? takeover;
        try
        {
            takeover = takeoverPath is null ? null : TakeoverClient.Connect(takeoverPath, takeoverLog);
        }
        catch (TakeoverFailedException e)
        {
            TakeoverLog.CannotTakeOver(takeoverLog, takeoverPath!, e.Message);
            return ExitCodes.RuntimeFailure;
        }

        using var predecessor = takeover;
        try
        {
            takeover?.Sockets.BindTheRest(loaded.Config!);
        }
        catch (TakeoverFailedException e)
        {
            // Before anything accepted from an inherited socket: the old process serves on, untouched.
            HostLog.StartFailed(log, e.Message);
            takeover!.Abandon();
            return ExitCodes.RuntimeFailure;
        }

        await using var host = new BalancerHost(loaded.Config!, loggerFactory, path, takeover?.Sockets, takeover?.State);
        using var service = ServiceNotifications.Attach(host, log);
        if (!await TryStartAsync(host, log, watchFile))
        {
            // The process we were taking over from still serves from those sockets: leave them to it.
            takeover?.Abandon();
            return ExitCodes.RuntimeFailure;
        }

        var exitCode = ExitCodes.Success;
        TakeoverServer? server = null;
        if (takeover is not null && await Task.Run(() => takeover.Complete(takeoverLog)) is { } notConfirmed)
        {
            // Two processes would serve on: this one, the newer, steps back.
            TakeoverLog.NotConfirmed(takeoverLog, takeover.Pid, notConfirmed);
            exitCode = ExitCodes.RuntimeFailure;
        }
        else if (takeoverPath is not null)
        {
            server = ServeTakeover(takeoverPath, host, takeoverLog);
        }

        using var successor = server;
        var handedOver = server?.HandedOver ?? new TaskCompletionSource<int>().Task;
        service?.Ready();
        if (exitCode == ExitCodes.Success) await Task.WhenAny(shutdown.Requested, handedOver);
        if (!handedOver.IsCompleted)
        {
            // A drain here, not a handover: the virtual IP moves away during the accept grace (docs/ha.md).
            host.BeginDrain();
            await AcceptGraceAsync(host, shutdown, log);
        }

        HostLog.Draining(log, drainTimeout);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Forced);
        deadline.CancelAfter(drainTimeout);
        if (handedOver.IsCompleted) await host.HandOverAsync(deadline.Token);
        else await host.StopAsync(deadline.Token);
        return exitCode;
    }

    /// <summary>Serves the takeover socket; a failure is logged and the balancer serves on without it (it may have taken over already).</summary>
    private static TakeoverServer? ServeTakeover(string path, BalancerHost host, ILogger log)
    {
        try
        {
            return TakeoverServer.Start(path, host, log);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            TakeoverLog.CannotServe(log, path, e.Message);
            return null;
        }
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
