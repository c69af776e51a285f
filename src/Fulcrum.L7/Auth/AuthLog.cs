using Microsoft.Extensions.Logging;

namespace Fulcrum.L7.Auth;

/// <summary>Log lines of edge authentication; event ids are stable (7300-7399).</summary>
internal static partial class AuthLog
{
    [LoggerMessage(7300, LogLevel.Information, "JWKS {Source}: {Keys} signing keys loaded (version {Version})")]
    public static partial void JwksLoaded(ILogger logger, string source, int keys, int version);

    [LoggerMessage(7301, LogLevel.Warning, "JWKS {Source}: fetch failed, the last good key set stays in use: {Reason}")]
    public static partial void JwksFailed(ILogger logger, string source, string reason);

    [LoggerMessage(7302, LogLevel.Information, "JWKS {Source}: a token names key id {Kid}, not in the key set; fetching it again")]
    public static partial void JwksUnknownKid(ILogger logger, string source, string kid);

    [LoggerMessage(7310, LogLevel.Warning, "Forward auth {Url} failed: {Reason}; the request is answered 503")]
    public static partial void ForwardFailed(ILogger logger, string url, string reason);
}
