using System.Net;
using Microsoft.Extensions.Logging;
using Fulcrum.Core.Model;
using Fulcrum.L7.BackendHttp;

namespace Fulcrum.L7.Diagnostics;

/// <summary>Every log line of the L7 data plane, source-generated; event ids are stable (7000-7099).</summary>
internal static partial class Log
{
    /// <summary><paramref name="protocol"/> is the listener's, `http` or `https` (a listener named "secure" once read "secure serving http").</summary>
    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "Listener {Listener} serving {Protocol} on {Endpoint}")]
    public static partial void ListenerStarted(ILogger logger, string listener, string protocol, IPEndPoint endpoint);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Listener {Listener} stopped")]
    public static partial void ListenerStopped(ILogger logger, string listener);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Error, Message = "Listener {Listener} could not start on {Bind}")]
    public static partial void ListenerFailed(ILogger logger, string listener, string bind, Exception exception);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Routes of listener {Listener} now follow topology generation {Generation} ({Routes} routes)")]
    public static partial void RoutesApplied(ILogger logger, string listener, long generation, int routes);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Error, Message = "{Location}: route disabled: {Reason}")]
    public static partial void RouteRejected(ILogger logger, string location, string reason);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "No backend available in pool {Pool}")]
    public static partial void NoBackend(ILogger logger, string pool);

    [LoggerMessage(EventId = 7011, Level = LogLevel.Warning, Message = "Forwarding to backend {Backend} of pool {Pool} failed at {Phase}: {Outcome}")]
    public static partial void ForwardFailed(ILogger logger, string backend, string pool, LegPhase phase, Outcome outcome, Exception? exception);

    [LoggerMessage(EventId = 7020, Level = LogLevel.Debug, Message = "New connection settings for pool {Pool}: a new HTTP client replaces the old one")]
    public static partial void PoolClientReplaced(ILogger logger, string pool);

    /// <summary>An `accept-proxy` listener closed a connection that did not start with a PROXY header it could read.</summary>
    [LoggerMessage(EventId = 7040, Level = LogLevel.Debug, Message = "Listener {Listener} closed a connection from {Peer}: {Reason}")]
    public static partial void ProxyHeaderRefused(ILogger logger, string listener, string peer, string reason);

    [LoggerMessage(EventId = 7030, Level = LogLevel.Error, Message = "Applying topology generation {Generation} to the http listeners failed")]
    public static partial void ReconcileFailed(ILogger logger, long generation, Exception exception);

    [LoggerMessage(EventId = 7050, Level = LogLevel.Debug, Message = "Listener {Listener} refused a request from {Peer} with {Status}: {Reason}")]
    public static partial void RequestRefused(ILogger logger, string listener, string peer, int status, string reason);

    [LoggerMessage(EventId = 7051, Level = LogLevel.Debug, Message = "Listener {Listener} lost a connection from {Peer}")]
    public static partial void ConnectionFailed(ILogger logger, string listener, string peer, Exception exception);

    [LoggerMessage(EventId = 7052, Level = LogLevel.Error, Message = "Listener {Listener}: a request from {Peer} failed")]
    public static partial void RequestFailed(ILogger logger, string listener, string peer, Exception exception);

    [LoggerMessage(EventId = 7053, Level = LogLevel.Debug, Message = "Listener {Listener} ended an HTTP/2 connection from {Peer} with GOAWAY {Code}: {Reason}")]
    public static partial void Http2ConnectionError(ILogger logger, string listener, string peer, string code, string reason);

    [LoggerMessage(EventId = 7054, Level = LogLevel.Debug, Message = "Listener {Listener} reset HTTP/2 stream {Stream} from {Peer} with {Code}: {Reason}")]
    public static partial void Http2StreamError(ILogger logger, string listener, string peer, int stream, string code, string reason);

    [LoggerMessage(EventId = 7060, Level = LogLevel.Information, Message = "http connections engine: {Engine} ({Reason})")]
    public static partial void IoEngineChosen(ILogger logger, string engine, string reason);

    [LoggerMessage(EventId = 7061, Level = LogLevel.Warning, Message = "http connections engine: io_uring asked for by {Source} but unavailable ({Reason}); running epoll")]
    public static partial void IoEngineFallback(ILogger logger, string source, string reason);

    [LoggerMessage(EventId = 7062, Level = LogLevel.Warning, Message = "{Variable}={Value} is not epoll, io_uring or auto; ignored")]
    public static partial void IoEngineVariableIgnored(ILogger logger, string variable, string value);

    [LoggerMessage(EventId = 7063, Level = LogLevel.Warning, Message = "Listener {Listener}: accept failed with errno {Errno} on io_uring; trying again shortly")]
    public static partial void AcceptFailed(ILogger logger, string listener, int errno);
}
