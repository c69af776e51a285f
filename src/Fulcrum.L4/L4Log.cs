using System.Net;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L4;

/// <summary>Source-generated log messages with stable event ids (4000-4099).</summary>
internal static partial class L4Log
{
    [LoggerMessage(4000, LogLevel.Information, "{Protocol} listener {Listener} bound to {Endpoint}")]
    public static partial void ListenerBound(ILogger logger, string protocol, string listener, IPEndPoint endpoint);

    [LoggerMessage(4001, LogLevel.Information, "{Protocol} listener {Listener} stopped")]
    public static partial void ListenerStopped(ILogger logger, string protocol, string listener);

    [LoggerMessage(4002, LogLevel.Error, "{Protocol} listener {Listener} could not bind {Endpoint}")]
    public static partial void BindFailed(ILogger logger, Exception exception, string protocol, string listener, string endpoint);

    [LoggerMessage(4003, LogLevel.Warning, "tcp listener {Listener}: no usable backend in pool {Pool}; connections closed (logged at most once a second)")]
    public static partial void NoBackend(ILogger logger, string listener, string pool);

    [LoggerMessage(4004, LogLevel.Debug, "tcp listener {Listener}: connect to backend {Backend} failed: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string listener, string backend, string reason);

    [LoggerMessage(4005, LogLevel.Debug, "tcp listener {Listener}: rejected connection from {Client}: {Reason}")]
    public static partial void Rejected(ILogger logger, string listener, EndPoint? client, string reason);

    [LoggerMessage(4006, LogLevel.Error, "tcp listener {Listener}: connection failed unexpectedly")]
    public static partial void ConnectionFailed(ILogger logger, Exception exception, string listener);

    [LoggerMessage(4007, LogLevel.Error, "{Protocol} listener {Listener}: accept loop failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception, string protocol, string listener);

    [LoggerMessage(4008, LogLevel.Warning, "udp listener {Listener}: no usable backend in pool {Pool}; datagrams dropped (logged at most once a second)")]
    public static partial void UdpNoBackend(ILogger logger, string listener, string pool);

    [LoggerMessage(4009, LogLevel.Information, "tcp relay engine: {Engine} ({Reason})")]
    public static partial void IoEngineChosen(ILogger logger, string engine, string reason);

    [LoggerMessage(4010, LogLevel.Warning, "tcp relay engine: io_uring asked for by {Source} but unavailable ({Reason}); running epoll")]
    public static partial void IoEngineFallback(ILogger logger, string source, string reason);

    [LoggerMessage(4011, LogLevel.Warning, "{Variable}={Value} is not epoll, io_uring or auto; ignored")]
    public static partial void IoEngineVariableIgnored(ILogger logger, string variable, string value);

    [LoggerMessage(4012, LogLevel.Warning, "tcp listener {Listener}: accept failed with errno {Errno} on io_uring; trying again shortly")]
    public static partial void RingAcceptFailed(ILogger logger, string listener, int errno);
}
