using Microsoft.Extensions.Logging;

namespace Fulcrum.Takeover;

/// <summary>The takeover's log events (category Fulcrum.Takeover). Event ids are stable: scripts and tests may match on them.</summary>
internal static partial class TakeoverLog
{
    [LoggerMessage(40, LogLevel.Information, "takeover socket {Path}: serving, for the next process to take over from this one")]
    public static partial void Serving(ILogger logger, string path);

    [LoggerMessage(41, LogLevel.Information, "takeover socket {Path}: no process serves it; binding afresh")]
    public static partial void NothingToTakeOver(ILogger logger, string path);

    [LoggerMessage(42, LogLevel.Information, "taking over from pid {Pid}: {Sockets} listening sockets, state of {Pools} pools")]
    public static partial void Received(ILogger logger, int pid, int sockets, int pools);

    [LoggerMessage(43, LogLevel.Information, "took over from pid {Pid}: {Claimed} of {Sockets} listening sockets adopted, {Closed} closed; pid {Pid} stops accepting and drains")]
    public static partial void TookOver(ILogger logger, int pid, int claimed, int sockets, int closed);

    [LoggerMessage(44, LogLevel.Information, "offered {Sockets} listening sockets and the runtime state to pid {Pid}")]
    public static partial void Offered(ILogger logger, int sockets, int pid);

    [LoggerMessage(45, LogLevel.Information, "handed over to pid {Pid}: listeners stop accepting here; draining")]
    public static partial void HandedOver(ILogger logger, int pid);

    [LoggerMessage(46, LogLevel.Warning, "takeover by pid {Pid} abandoned ({Reason}); still serving")]
    public static partial void Abandoned(ILogger logger, int pid, string reason);

    [LoggerMessage(47, LogLevel.Critical, "cannot take over from the process at {Path}: {Reason}")]
    public static partial void CannotTakeOver(ILogger logger, string path, string reason);

    [LoggerMessage(48, LogLevel.Critical, "pid {Pid} did not confirm it stopped accepting ({Reason}); stopping this process")]
    public static partial void NotConfirmed(ILogger logger, int pid, string reason);

    [LoggerMessage(50, LogLevel.Error, "cannot serve the takeover socket {Path}: {Reason}; serving on, but no process can take over from this one")]
    public static partial void CannotServe(ILogger logger, string path, string reason);

    [LoggerMessage(49, LogLevel.Warning, "takeover socket {Path}: a connection failed: {Reason}")]
    public static partial void ConnectionFailed(ILogger logger, string path, string reason);
}
