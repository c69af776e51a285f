namespace Fulcrum.Core.Observability;

/// <summary>
/// Runs access log writers off the request path. Core starts no threads, so the host supplies this (a thread
/// per log, which may block on a stalled disk or a FIFO without a reader); a unit test or the simulator can
/// instead call <see cref="AccessLog.WriteQueued"/> itself.
/// </summary>
public interface IAccessLogWriters
{
    /// <summary>
    /// Starts calling <paramref name="log"/>'s <see cref="AccessLog.WriteQueued"/> about every
    /// <see cref="AccessLog.BatchDelay"/>. The log is disposed before the returned handle; disposing the handle
    /// lets the writer write what is left, then stops it.
    /// </summary>
    IDisposable Start(AccessLog log);
}
