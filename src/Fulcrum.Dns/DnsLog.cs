using System.Net;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Dns;

/// <summary>Source-generated log messages of the dns plane, with stable event ids (5000-5099).</summary>
internal static partial class DnsLog
{
    [LoggerMessage(5000, LogLevel.Information, "dns listener {Listener} bound to {Endpoint} (udp and tcp)")]
    public static partial void ListenerBound(ILogger logger, string listener, IPEndPoint endpoint);

    [LoggerMessage(5001, LogLevel.Information, "dns listener {Listener} stopped")]
    public static partial void ListenerStopped(ILogger logger, string listener);

    [LoggerMessage(5002, LogLevel.Error, "dns listener {Listener} could not bind {Endpoint}")]
    public static partial void BindFailed(ILogger logger, Exception exception, string listener, string endpoint);

    [LoggerMessage(5003, LogLevel.Debug, "dns listener {Listener}: a query was dropped: {Reason}")]
    public static partial void QueryDropped(ILogger logger, string listener, string reason);

    [LoggerMessage(5004, LogLevel.Warning, "dns listener {Listener}: record {Name} names pool {Pool}, which is not in the config")]
    public static partial void PoolMissing(ILogger logger, string listener, string name, string pool);

    [LoggerMessage(5005, LogLevel.Debug, "dns listener {Listener}: backend {Backend} of pool {Pool} is not an IP address and is never answered")]
    public static partial void SiteNotAnAddress(ILogger logger, string listener, string backend, string pool);
}
