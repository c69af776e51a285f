using Microsoft.Extensions.Logging;

namespace Fulcrum.Core.Health;

/// <summary>Health, panic and drain events, with stable event ids (1000-1099).</summary>
internal static partial class HealthLog
{
    [LoggerMessage(1000, LogLevel.Warning, "backend {Backend} in pool {Pool} is down: {Reason}")]
    public static partial void BackendDown(ILogger logger, string backend, string pool, string reason);

    [LoggerMessage(1001, LogLevel.Information, "backend {Backend} in pool {Pool} is up")]
    public static partial void BackendUp(ILogger logger, string backend, string pool);

    [LoggerMessage(1002, LogLevel.Warning, "backend {Backend} in pool {Pool} ejected for {Duration} after {Reason}")]
    public static partial void Ejected(ILogger logger, string backend, string pool, TimeSpan duration, string reason);

    [LoggerMessage(1003, LogLevel.Warning, "backend {Backend} in pool {Pool} not ejected: max-ejected reached ({Ejected} of {Total})")]
    public static partial void EjectionCapped(ILogger logger, string backend, string pool, int ejected, int total);

    [LoggerMessage(1004, LogLevel.Warning, "pool {Pool} in panic: {Usable} of {Total} primaries usable, below {Threshold:P0}; spreading over all")]
    public static partial void PanicOn(ILogger logger, string pool, int usable, int total, double threshold);

    [LoggerMessage(1005, LogLevel.Information, "pool {Pool} out of panic: {Usable} of {Total} primaries usable")]
    public static partial void PanicOff(ILogger logger, string pool, int usable, int total);

    [LoggerMessage(1006, LogLevel.Information, "backend {Backend} in pool {Pool} draining: {Active} in flight, timeout {Timeout}")]
    public static partial void DrainStarted(ILogger logger, string backend, string pool, long active, TimeSpan timeout);

    [LoggerMessage(1007, LogLevel.Information, "backend {Backend} in pool {Pool} drained")]
    public static partial void Drained(ILogger logger, string backend, string pool);

    [LoggerMessage(1008, LogLevel.Warning, "backend {Backend} in pool {Pool} drain timed out with {Active} in flight")]
    public static partial void DrainTimedOut(ILogger logger, string backend, string pool, long active);

    [LoggerMessage(1009, LogLevel.Information, "backend {Backend} in pool {Pool} removed")]
    public static partial void Removed(ILogger logger, string backend, string pool);
}
