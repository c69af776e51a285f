using Microsoft.Extensions.Logging;

namespace Fulcrum.Discovery;

/// <summary>Service discovery's log lines (ids 60-69).</summary>
internal static partial class DiscoveryLog
{
    [LoggerMessage(60, LogLevel.Information, "pool {Pool}: {Source} found {Count} backends")]
    public static partial void Found(ILogger logger, string pool, string source, int count);

    [LoggerMessage(61, LogLevel.Warning, "pool {Pool}: {Source} lookup failed: {Error}; keeping the last good set ({Count} backends), asking again in {Seconds}s")]
    public static partial void Failed(ILogger logger, string pool, string source, string error, int count, double seconds);

    [LoggerMessage(62, LogLevel.Information, "pool {Pool}: {Source} answers again")]
    public static partial void Recovered(ILogger logger, string pool, string source);

    [LoggerMessage(63, LogLevel.Error, "pool {Pool}: applying what {Source} found failed: {Error}")]
    public static partial void ApplyFailed(ILogger logger, string pool, string source, string error);
}
