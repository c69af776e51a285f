using Microsoft.Extensions.Logging;

namespace Fulcrum.L7.Tls;

/// <summary>TLS log lines with stable event ids (7100-7199).</summary>
internal static partial class TlsLog
{
    [LoggerMessage(7100, LogLevel.Information, "listener {Listener}: serving certificate {Certificate}")]
    public static partial void Serving(ILogger logger, string listener, string certificate);

    [LoggerMessage(7101, LogLevel.Information, "listener {Listener}: certificates reloaded from changed files")]
    public static partial void Reloaded(ILogger logger, string listener);

    [LoggerMessage(7102, LogLevel.Error, "listener {Listener}: changed certificate files are not usable, keeping the previous certificates: {Error}")]
    public static partial void ReloadFailed(ILogger logger, string listener, string error);

    [LoggerMessage(7103, LogLevel.Warning, "pool {Pool}: insecure-skip-verify is on, backend certificates are NOT verified; anyone on the path can read and change this traffic")]
    public static partial void InsecureBackend(ILogger logger, string pool);

    [LoggerMessage(7104, LogLevel.Warning, "pool {Pool}: backend {Backend} certificate rejected: {Errors}")]
    public static partial void BackendCertificateRejected(ILogger logger, string pool, string backend, string errors);

    [LoggerMessage(7105, LogLevel.Error, "{Location}: listener {Listener}: TLS not usable, {Consequence}: {Reason}")]
    public static partial void ListenerTlsRejected(ILogger logger, string location, string listener, string consequence, string reason);

    [LoggerMessage(7106, LogLevel.Error, "{Location}: pool {Pool}: TLS to the backends not usable, connections are refused: {Reason}")]
    public static partial void PoolTlsRejected(ILogger logger, string location, string pool, string reason);
}
