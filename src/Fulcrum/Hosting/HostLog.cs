using Microsoft.Extensions.Logging;

namespace Fulcrum.Hosting;

/// <summary>The host's log events. Event ids are stable: scripts and tests may match on them.</summary>
internal static partial class HostLog
{
    [LoggerMessage(1, LogLevel.Information, "started: generation {Generation}, {Listeners} listeners, {Pools} pools")]
    public static partial void Started(ILogger logger, long generation, int listeners, int pools);

    [LoggerMessage(2, LogLevel.Information, "listener {Listener} serving on {Url}")]
    public static partial void ListenerServing(ILogger logger, string listener, string url);

    [LoggerMessage(3, LogLevel.Information, "reload applied: generation {Generation} from {Path} ({Trigger})")]
    public static partial void ReloadApplied(ILogger logger, long generation, string path, ReloadTrigger trigger);

    [LoggerMessage(4, LogLevel.Error, "reload rejected: {Count} errors in {Path} ({Trigger}); still serving generation {Generation}")]
    public static partial void ReloadRejected(ILogger logger, int count, string path, ReloadTrigger trigger, long generation);

    [LoggerMessage(5, LogLevel.Error, "{Location}: {Message}")]
    public static partial void ConfigError(ILogger logger, string location, string message);

    [LoggerMessage(6, LogLevel.Debug, "{Path} changed on disk but its content did not; no reload")]
    public static partial void ReloadSkippedUnchanged(ILogger logger, string path);

    [LoggerMessage(7, LogLevel.Information, "draining: listeners closed to new work, waiting up to {Timeout} for in-flight requests")]
    public static partial void Draining(ILogger logger, TimeSpan timeout);

    [LoggerMessage(15, LogLevel.Information, "i/o: {Mode}")]
    public static partial void IoMode(ILogger logger, string mode);

    [LoggerMessage(8, LogLevel.Information, "stopped")]
    public static partial void Stopped(ILogger logger);

    /// <summary>The reason only: a port in use needs no stack trace. <see cref="StartFailedDetail"/> has it at Debug.</summary>
    [LoggerMessage(9, LogLevel.Critical, "cannot start: {Message}")]
    public static partial void StartFailed(ILogger logger, string message);

    [LoggerMessage(14, LogLevel.Debug, "start failure detail")]
    public static partial void StartFailedDetail(ILogger logger, Exception exception);

    [LoggerMessage(10, LogLevel.Warning, "cannot watch {Path} for changes ({Message}); reload with SIGHUP")]
    public static partial void WatchUnavailable(ILogger logger, string path, string message);

    [LoggerMessage(11, LogLevel.Warning, "drain deadline passed: remaining connections closed")]
    public static partial void DrainDeadlinePassed(ILogger logger);

    [LoggerMessage(12, LogLevel.Error, "reload failed: {Message}")]
    public static partial void ReloadFailed(ILogger logger, string message, Exception exception);

    [LoggerMessage(13, LogLevel.Information, "admin API serving on {Url}")]
    public static partial void AdminServing(ILogger logger, string url);

    [LoggerMessage(16, LogLevel.Information, "stop asked: /healthz answers 503; listeners keep accepting for {Grace} (shutdown.accept-grace), then drain")]
    public static partial void AcceptGrace(ILogger logger, TimeSpan grace);

    [LoggerMessage(17, LogLevel.Information, "systemd: notifying {Socket}{Watchdog}")]
    public static partial void SystemdNotifying(ILogger logger, string socket, string watchdog);

    [LoggerMessage(18, LogLevel.Warning, "systemd: cannot notify {Socket}: {Message}")]
    public static partial void SystemdFailed(ILogger logger, string socket, string message);
}
