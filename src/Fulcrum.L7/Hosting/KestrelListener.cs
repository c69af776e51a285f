using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.Core.Observability;
using Fulcrum.L7.Observability;
using Fulcrum.L7.Diagnostics;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.FrontEnd;
using Fulcrum.L7.FrontEnd.Http1;
using Fulcrum.L7.Routing;
using Fulcrum.L7.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fulcrum.L7.Hosting;

/// <summary>
/// One http listener: its own KestrelServer bound to one address, so a reload can start or stop one
/// listener without touching the connections of the others, and each listener gets its own TLS setup.
/// Kestrel is the front end by default: each request comes as a <see cref="KestrelExchange"/>, reads the current
/// <see cref="RouteTable"/> once (a volatile reference), and runs its route (docs/design.md, "How a request flows").
/// With `front-end: fulcrum` an <see cref="Http1FrontEnd"/> takes Kestrel's place and feeds the same handler.
/// </summary>
internal sealed class KestrelListener : IAsyncDisposable
{
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private volatile RouteTable _routes = RouteTable.Empty;
    private KestrelServer? _server;
    private ListenOptions? _listenOptions;
    private readonly object _applyLock = new();
    private volatile ListenerTls? _tls;
    private readonly TopologyStore? _store;
    private readonly ListenerStats? _stats;
    private readonly ListenerConnections _connections = new();
    private AcceptGate? _gate;
    private volatile AccessLog? _accessLog;
    private volatile bool _tracing;
    private Http1FrontEnd? _frontEnd;

    public KestrelListener(ListenerConfig config, IServiceProvider services, ILoggerFactory loggerFactory, ILogger logger, TopologyStore? store = null)
    {
        Config = config;
        _store = store;
        _stats = store?.Listeners.For(config.Name);
        _services = services;
        _loggerFactory = loggerFactory;
        _logger = logger;
    }

    public ListenerConfig Config { get; private set; }
    /// <summary>The config file's folder: relative certificate paths start there.</summary>
    public string ConfigDirectory { get; init; } = Directory.GetCurrentDirectory();
    /// <summary>See <see cref="HttpDataPlane.InlineScheduling"/>.</summary>
    public bool InlineScheduling { get; init; }
    /// <summary>See <see cref="HttpDataPlane.InheritSocket"/>.</summary>
    public Func<ListenerConfig, Socket?>? Inherit { get; init; }
    /// <summary>The io_uring loops the own front end's connections run on; null or a null answer: epoll.</summary>
    public Func<Fulcrum.Core.IO.Uring.UringLoops?>? Uring { get; init; }
    public IPEndPoint? BoundEndpoint { get; private set; }
    /// <summary>The listening socket Kestrel accepts from (Kestrel owns it), for a process that takes over from this one.</summary>
    public Socket? ListenSocket { get; private set; }
    public RouteTable Routes => _routes;

    /// <summary>Swaps in the routes of a newer generation; an older one (a late reload) is ignored.</summary>
    public void Apply(ListenerConfig config, RouteTable routes)
    {
        lock (_applyLock)
        {
            if (routes.Generation < _routes.Generation) return;
            if (config.Protocol == ListenerProtocol.Https) ApplyTls(config);
            Config = config;
            _routes = routes;
            if (_store is not null) _accessLog = _store.AccessLogs.For(config, _store.Current.Config);
            _tracing = routes.Tracing;
            if (_tracing) RequestTracing.EnsureRecorded();
        }

        Log.RoutesApplied(_logger, config.Name, routes.Generation, routes.Count);
    }

    /// <summary>True when the new config can keep this listener's socket (same address and protocol).</summary>
    /// <summary>
    /// True when the new config can keep this listener's socket: same address and protocol, and the same `limits`
    /// (Kestrel reads them when it starts, so changed limits restart the listener as a moved bind does).
    /// </summary>
    public bool CanServe(ListenerConfig next) =>
        next.Bind == Config.Bind && next.Protocol == Config.Protocol && next.H2c == Config.H2c && next.Limits.SameLimits(Config.Limits)
        && FrontEndChoice.For(next) == FrontEndChoice.For(Config);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Config.Protocol == ListenerProtocol.Https && _tls is null)
        {
            throw new InvalidOperationException($"https listener '{Config.Name}' has no usable certificates: {string.Join("; ", _tlsErrors)}");
        }

        if (FrontEndChoice.For(Config) == HttpFrontEnd.Fulcrum)
        {
            StartOwnFrontEnd();
            return;
        }

        var options = new KestrelServerOptions
        {
            AddServerHeader = false,
            ApplicationServices = _services,
        };
        ApplyLimits(options.Limits, Config.Limits);
        // A backend's header values are read as Latin-1 (RFC 9110 section 5.5 allows obs-text): written back the same
        // way they reach the client byte for byte, where Kestrel's ASCII-only default would refuse them with a 500.
        options.ResponseHeaderEncodingSelector = static _ => Encoding.Latin1;
        options.Listen(new IPEndPoint(Config.Bind.Address, Config.Bind.Port), listen =>
        {
            _listenOptions = listen;
            ConfigureEndpoint(listen);
        });

        var transportOptions = new SocketTransportOptions { UnsafePreferInlineScheduling = InlineScheduling };
        // Kestrel asks here for its listening socket: one inherited from the process this one took over from (bound and
        // listening already, with its queue of clients), else a new one bound as Kestrel would. Either way it is kept,
        // so it can be handed over in turn.
        transportOptions.CreateBoundListenSocket = endpoint =>
        {
            var socket = Inherit?.Invoke(Config) ?? SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
            ListenSocket = socket;
            return socket;
        };
        var transport = new AcceptGate(new SocketTransportFactory(Options.Create(transportOptions), _loggerFactory), _connections.Opened);
        _gate = transport;
        var server = new KestrelServer(Options.Create(options), transport, _loggerFactory);
        try
        {
            await server.StartAsync(new ProxyApplication(HandleAsync, _stats is null ? null : Completed), cancellationToken);
        }
        catch
        {
            server.Dispose();
            throw;
        }

        _server = server;
        BoundEndpoint = ResolveBoundEndpoint(server);
        Log.ListenerStarted(_logger, Config.Name, Config.Protocol == ListenerProtocol.Https ? "https" : "http", BoundEndpoint);
    }

    private void StartOwnFrontEnd()
    {
        var frontEnd = new Http1FrontEnd(() => Config, () => _tls, HandleAsync, _stats is null ? null : Completed, _stats,
            _store?.Services.Time ?? TimeProvider.System, _logger) { Loops = Uring?.Invoke() };
        var endpoint = new IPEndPoint(Config.Bind.Address, Config.Bind.Port);
        var socket = frontEnd.Start(endpoint, Inherit?.Invoke(Config));
        ListenSocket = socket;
        _frontEnd = frontEnd;
        BoundEndpoint = socket.LocalEndPoint as IPEndPoint ?? endpoint;
        Log.ListenerStarted(_logger, Config.Name, Config.Protocol == ListenerProtocol.Https ? "https" : "http", BoundEndpoint);
    }

    // The listener's `limits:` (docs/security.md, "Sizes and time"): Kestrel answers 414, 431 and 413 and closes
    // slow or idle connections itself.
    private static void ApplyLimits(KestrelServerLimits limits, HttpLimitsConfig config)
    {
        limits.MaxRequestLineSize = (int)Math.Min(int.MaxValue, config.MaxRequestLine);
        limits.MaxRequestHeadersTotalSize = (int)Math.Min(int.MaxValue, config.MaxHeaderSize);
        limits.MaxRequestHeaderCount = config.MaxHeaders;
        // 0: no limit; a proxy passes bodies through and by default the backend decides how large is too large.
        limits.MaxRequestBodySize = config.MaxBodySize > 0 ? config.MaxBodySize : null;
        limits.RequestHeadersTimeout = config.HeaderTimeout;
        limits.KeepAliveTimeout = config.KeepAliveTimeout;
        limits.MinRequestBodyDataRate = config.MinBodyRate > 0 ? new MinDataRate(config.MinBodyRate, TimeSpan.FromSeconds(5)) : null;
        limits.Http2.MaxStreamsPerConnection = config.Http2MaxStreams;
        // HTTP/2 headers share the HTTP/1.1 budget, so one limit answers for both protocols.
        limits.Http2.MaxRequestHeaderFieldSize = (int)Math.Min(int.MaxValue, Math.Max(config.MaxHeaderSize, 4096));
    }

    /// <summary>Stops accepting, lets in-flight requests finish until the token fires, then closes what is left.</summary>
    public async Task StopAsync(CancellationToken drainDeadline)
    {
        if (Interlocked.Exchange(ref _frontEnd, null) is { } frontEnd)
        {
            try
            {
                await frontEnd.StopAsync(drainDeadline);
            }
            finally
            {
                _tls?.Dispose();
                Log.ListenerStopped(_logger, Config.Name);
            }

            return;
        }

        var server = Interlocked.Exchange(ref _server, null);
        if (server is null) return;
        try
        {
            await server.StopAsync(drainDeadline);
        }
        finally
        {
            server.Dispose();
            _tls?.Dispose();
            Log.ListenerStopped(_logger, Config.Name);
        }
    }

    /// <summary>
    /// Another process took this listener's socket over: stop accepting, close each connection gently (HTTP/2 GOAWAY,
    /// HTTP/1.1 after its next response; <see cref="ListenerConnections"/>), wait for them until the deadline, then stop
    /// as <see cref="StopAsync"/> does, which closes what is left.
    /// </summary>
    public async Task HandOverAsync(CancellationToken drainDeadline)
    {
        if (_frontEnd is { } frontEnd)
        {
            frontEnd.CloseGently();
            await frontEnd.StopAcceptingAsync();
            try
            {
                await frontEnd.Drained.WaitAsync(drainDeadline);
            }
            catch (OperationCanceledException)
            {
                // The deadline: StopAsync closes the connections left.
            }

            await StopAsync(drainDeadline);
            return;
        }

        // Closing first, as the own front end does: a connection accepted until accepting stops is then served once,
        // with `Connection: close`, and the drain waits for it (ListenerConnections.Drained).
        _connections.CloseGently();
        if (_gate is not null) await _gate.StopAcceptingAsync();
        _connections.AcceptingStopped();
        try
        {
            await _connections.Drained.WaitAsync(drainDeadline);
        }
        catch (OperationCanceledException)
        {
            // The deadline: StopAsync closes the connections left.
        }

        await StopAsync(drainDeadline);
    }

    public async ValueTask DisposeAsync() => await StopAsync(new CancellationToken(canceled: true));

    /// <summary>
    /// Every connection closes after the request it serves and idle ones close now (Kestrel's graceful close: the
    /// HTTP/1.1 answer says `Connection: close`, HTTP/2 gets GOAWAY), while the listener keeps accepting; answers on
    /// connections accepted later say `Connection: close` too. A client then opens a new connection for its next
    /// request, which reaches whichever node holds the virtual IP by then, instead of reusing one whose address
    /// has moved (that request would meet a reset from the new holder).
    /// </summary>
    public void EndKeepAlive()
    {
        _connections.CloseAll();
        _frontEnd?.CloseAll();
    }

    /// <summary>
    /// Per-endpoint setup. Plain http serves HTTP/1.1, or with `h2c: true` HTTP/2 with prior knowledge only: Kestrel
    /// chooses HTTP/2 beside HTTP/1.1 only through TLS ALPN, and on a cleartext endpoint offering both it answers an
    /// HTTP/2 preface with GOAWAY HTTP_1_1_REQUIRED. https picks the certificate and options per handshake from the
    /// current <see cref="ListenerTls"/>, and ALPN decides h2 or HTTP/1.1.
    /// </summary>
    private void ConfigureEndpoint(ListenOptions listen)
    {
        listen.Protocols = Config.Protocol == ListenerProtocol.Https ? HttpProtocols.Http1AndHttp2
            : Config.H2c ? HttpProtocols.Http2 : HttpProtocols.Http1;
        var stats = _stats;
        var connections = _connections;
        // Outermost, so a connection that fails its TLS handshake still counts as accepted. The drain's count of open
        // connections began earlier, as AcceptGate accepted it (the same ConnectionContext); it ends here.
        listen.Use(next => async connection =>
        {
            stats?.ConnectionOpened();
            try
            {
                await next(connection);
            }
            finally
            {
                connections.Closed(connection);
                stats?.ConnectionClosed();
            }
        });

        // Before TLS: a PROXY header comes ahead of the ClientHello. Reads the listener's config per connection, so a
        // reload turns accept-proxy on or off for new connections without a restart.
        var intake = new ProxyHeaderIntake(() => Config, _store?.Services.Time ?? TimeProvider.System, _logger);
        listen.Use(next => connection => intake.OnConnectionAsync(connection, next));

        if (Config.Protocol == ListenerProtocol.Https)
        {
            listen.UseHttps(new TlsHandshakeCallbackOptions { OnConnection = context => _tls!.OnConnection(context) });
            // After TLS, on the decrypted bytes: only HTTP/2 connections are read through the guard.
            listen.Use(next => connection =>
            {
                if (connection.Features.Get<Microsoft.AspNetCore.Server.Kestrel.Core.Features.ITlsApplicationProtocolFeature>()?.ApplicationProtocol.Span.SequenceEqual("h2"u8) != true)
                {
                    return next(connection);
                }

                var transport = new LingeringTransport(connection.Transport);
                connection.Transport = new DuplexPipe(new ContinuationGuard(transport.Input, connection.Abort), transport.Output);
                // Its handshake ended after a takeover began: GOAWAY as to the others.
                if (connections.Closing) connection.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionLifetimeNotificationFeature>()?.RequestClose();
                return ServeHttp2Async(next, connection, transport, connections);
            });
        }
        else if (Config.H2c)
        {
            // Every connection is HTTP/2: all are read through the guard, as h2 connections of an https listener are.
            listen.Use(next => connection =>
            {
                var transport = new LingeringTransport(connection.Transport);
                connection.Transport = new DuplexPipe(new ContinuationGuard(transport.Input, connection.Abort), transport.Output);
                if (connections.Closing) connection.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionLifetimeNotificationFeature>()?.RequestClose();
                return ServeHttp2Async(next, connection, transport, connections);
            });
        }
    }

    // After a takeover's GOAWAY, a connection lingers so the requests its client had in flight are refused cleanly
    // (it retries them on a new connection) rather than reset (LingeringTransport).
    private static async Task ServeHttp2Async(Microsoft.AspNetCore.Connections.ConnectionDelegate next, Microsoft.AspNetCore.Connections.ConnectionContext connection,
        LingeringTransport transport, ListenerConnections connections)
    {
        try
        {
            await next(connection);
        }
        finally
        {
            await transport.CloseAsync(connections.Closing ? ListenerConnections.Linger : TimeSpan.Zero);
        }
    }

    private List<ConfigError> _tlsErrors = [];

    /// <summary>
    /// Loads the certificates of a new config. A reload re-reads the files too; when they do not load, the
    /// listener keeps serving the certificates it has.
    /// </summary>
    private void ApplyTls(ListenerConfig config)
    {
        if (_tls is not null && ReferenceEquals(_tls.Listener.Tls, config.Tls)) return;
        var errors = new List<ConfigError>();
        var next = ListenerTls.Create(config, ConfigDirectory, TimeProvider.System, _logger, errors);
        if (next is null)
        {
            _tlsErrors = errors;
            foreach (var error in errors)
            {
                TlsLog.ListenerTlsRejected(_logger, error.Location.ToString(), config.Name,
                    _tls is null ? "the listener cannot start" : "keeping the certificates it has", error.Message);
            }

            return;
        }

        next.StartWatching();
        var old = _tls;
        _tls = next;
        old?.Dispose();
    }

    private Task HandleAsync(HttpExchange exchange) => _tracing ? HandleTracedAsync(exchange) : HandleUntracedAsync(exchange);

    // An async method of its own, so Activity.Current (an AsyncLocal) is set for this request's forwarding only
    // and never leaks into Kestrel's connection loop; the state machine is paid only with tracing on.
    private async Task HandleTracedAsync(HttpExchange exchange)
    {
        var activity = RequestTracing.Start(exchange, Config.Name);
        if (activity is not null) exchange.Record.TraceId = activity.TraceId.ToHexString();
        try
        {
            await HandleUntracedAsync(exchange);
        }
        finally
        {
            if (activity is not null) RequestTracing.Stop(activity, exchange);
        }
    }

    private Task HandleUntracedAsync(HttpExchange exchange)
    {
        var routes = _routes;
        // Fulcrum's own front end says `Connection: close` by itself while closing, and its parser is the stricter one.
        if (exchange is KestrelExchange kestrel && _connections.Closing) ListenerConnections.CloseAfter(kestrel.Http.Response);
        if (exchange is KestrelExchange && StrictRequest.Problem(exchange.RequestHeaders) is { } problem) return RefuseAsync(exchange, StatusCodes.Status400BadRequest, problem);
        if (exchange.RequestContentLength > Config.Limits.MaxBodySize && Config.Limits.MaxBodySize > 0)
        {
            // Refused before a backend hears of it (a chunked body over the limit fails as it is read: 413 too).
            return RefuseAsync(exchange, StatusCodes.Status413RequestEntityTooLarge, Answers.PlainTextAnswer.BodyTooLarge);
        }

        ConnectionOptions.RemoveNamed(exchange);
        routes.TrustedProxies.Apply(exchange);
        var route = routes.Match(exchange) ?? routes.NoRoute;
        var record = exchange.Record;
        record.Route = ReferenceEquals(route, routes.NoRoute) ? null : route.Name;
        record.RouteStats = route.Stats;
        return route.ExecuteAsync(exchange);
    }

    // A request whose meaning a peer could read differently: 400, and the connection closes after it, since what
    // follows on it cannot be trusted to start where this request ends.
    private static Task RefuseAsync(HttpExchange exchange, int status, byte[] body)
    {
        Answers.PlainTextAnswer.Set(exchange, status, body);
        exchange.ResponseHeaders.Connection = "close";
        return Filters.FilterChain.Empty.WriteAnswerAsync(exchange, 0);
    }

    // Runs as Kestrel disposes the request's context: the response is complete, the context not yet reset.
    private void Completed(HttpExchange exchange)
    {
        var record = exchange.Record;
        // The backend leg's counts when it made them, else the declared lengths.
        var bytesIn = record.BytesIn >= 0 ? record.BytesIn : exchange.RequestContentLength ?? 0;
        var bytesOut = record.BytesOut >= 0 ? record.BytesOut : exchange.ResponseContentLength ?? 0;
        _stats!.Request(bytesIn, bytesOut);
        record.RouteStats?.Record(exchange.Status, System.Diagnostics.Stopwatch.GetElapsedTime(record.Started));
        // A request a protection refused, delayed or flagged is logged whatever the sample: its line is the audit
        // record (the WAF's rules that matched, say), which sampling must not lose.
        if (_accessLog is { } log && (record.Protection is not null || log.Sampled()))
        {
            log.Write(AccessLogLine.From(exchange, Config, bytesIn, bytesOut));
        }
    }

    private IPEndPoint ResolveBoundEndpoint(KestrelServer server)
    {
        // Kestrel writes the bound endpoint (the real port when 0 was asked) back into the listen options.
        if (_listenOptions?.IPEndPoint is { Port: > 0 } bound) return bound;
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is not null && Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            return new IPEndPoint(Config.Bind.Address, uri.Port);
        }

        return new IPEndPoint(Config.Bind.Address, Config.Bind.Port);
    }
}
