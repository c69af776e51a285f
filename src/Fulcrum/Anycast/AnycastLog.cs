using Microsoft.Extensions.Logging;

namespace Fulcrum.Anycast;

/// <summary>`fulcrum anycast`'s log lines (ids 70-79).</summary>
internal static partial class AnycastLog
{
    [LoggerMessage(70, LogLevel.Information, "anycast: announcing (BIRD protocol {Protocol} enabled): {Health}")]
    public static partial void Announcing(ILogger logger, string protocol, string health);

    [LoggerMessage(71, LogLevel.Warning, "anycast: withdrawn (BIRD protocol {Protocol} disabled): {Health}")]
    public static partial void Withdrawn(ILogger logger, string protocol, string health);

    [LoggerMessage(72, LogLevel.Error, "anycast: could not {Action} BIRD protocol {Protocol}: {Error}; trying again")]
    public static partial void BirdFailed(ILogger logger, string action, string protocol, string error);

    [LoggerMessage(73, LogLevel.Information, "anycast: watching {Health} every {IntervalMs}ms, {TimeoutMs}ms each (rise {Rise}, fall {Fall}); BIRD at {Socket}, protocol {Protocol}")]
    public static partial void Watching(ILogger logger, string health, double intervalMs, double timeoutMs, int rise, int fall, string socket, string protocol);
}
