using Microsoft.Extensions.Logging;

namespace Fulcrum.Vrrp;

/// <summary>The VRRP glue's log events (ids 30-39, stable).</summary>
internal static partial class VrrpLog
{
    [LoggerMessage(30, LogLevel.Information, "vrrp: serving; wrote 0 to {Path}")]
    public static partial void Serving(ILogger logger, string path);

    [LoggerMessage(31, LogLevel.Warning, "vrrp: yielding ({Reason}); wrote 1 to {Path}")]
    public static partial void Yielding(ILogger logger, string reason, string path);

    [LoggerMessage(32, LogLevel.Error, "vrrp: cannot write the state file {Path}: {Message}; keepalived keeps the last value it read")]
    public static partial void StateFileFailed(ILogger logger, string path, string message);

    [LoggerMessage(33, LogLevel.Information, "vrrp: process name is now {Name} (keepalived's track_process)")]
    public static partial void ProcessNamed(ILogger logger, string name);

    [LoggerMessage(34, LogLevel.Error, "vrrp: cannot take the process name {Name} ({Message}); keepalived's track_process will not see this node serve")]
    public static partial void ProcessNameFailed(ILogger logger, string name, string message);

    [LoggerMessage(35, LogLevel.Error, "vrrp: checking the pools failed: {Message}")]
    public static partial void CheckFailed(ILogger logger, string message, Exception exception);
}
