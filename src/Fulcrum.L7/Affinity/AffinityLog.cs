using Microsoft.Extensions.Logging;

namespace Fulcrum.L7.Affinity;

/// <summary>Affinity log lines with stable event ids (7200-7299).</summary>
internal static partial class AffinityLog
{
    [LoggerMessage(7200, LogLevel.Warning, "pool {Pool}: the sticky backend of a request cannot take it and on-unavailable is fail: 503")]
    public static partial void StickyBackendUnavailable(ILogger logger, string pool);
}
