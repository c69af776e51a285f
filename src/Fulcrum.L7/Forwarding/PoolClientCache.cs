using System.Diagnostics;
using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Diagnostics;
using Fulcrum.L7.BackendHttp;
using Fulcrum.L7.Tls;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L7.Forwarding;

/// <summary>
/// One <see cref="HttpMessageInvoker"/> and one set of lean-leg <see cref="PoolConnections"/> per pool, reused
/// across reloads while the pool's connection settings do not change. A replaced client is not disposed (requests
/// may still be using it); its idle connections close by PooledConnectionIdleTimeout and the handler is collected.
/// Replaced or removed lean-leg connections are disposed at once: idle ones close, busy ones when their request ends.
/// </summary>
internal sealed class PoolClientCache : IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<string, (PoolClientSettings Settings, PoolClients Clients)> _clients = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    public PoolClientCache(ILogger logger) => _logger = logger;

    /// <summary><paramref name="configDirectory"/>: where relative paths in the pool's tls block start (the config file's folder).</summary>
    public PoolClients Get(PoolConfig pool, string configDirectory, TimeProvider time)
    {
        var settings = PoolClientSettings.From(pool);
        lock (_lock)
        {
            if (_clients.TryGetValue(pool.Name, out var entry))
            {
                if (entry.Settings == settings) return entry.Clients;
                Log.PoolClientReplaced(_logger, pool.Name);
                entry.Clients.Connections.Dispose();
            }

            var clients = Create(settings, pool, configDirectory, time);
            _clients[pool.Name] = (settings, clients);
            return clients;
        }
    }

    /// <summary>Forgets pools that left the config.</summary>
    public void Retain(IEnumerable<string> poolNames)
    {
        var keep = new HashSet<string>(poolNames, StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var name in _clients.Keys.ToArray())
            {
                if (!keep.Contains(name) && _clients.Remove(name, out var gone)) gone.Clients.Connections.Dispose();
            }
        }
    }

    // A pool whose CA bundle cannot be read fails closed: no plain-text fallback.
    private static ValueTask<Stream> RefuseConnect(SocketsHttpConnectionContext context, CancellationToken cancellationToken) =>
        ValueTask.FromException<Stream>(new HttpRequestException($"TLS to {context.DnsEndPoint} is not set up: the pool's tls.ca could not be read"));

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var (_, clients) in _clients.Values)
            {
                clients.Client.Dispose();
                clients.Http2?.Dispose();
                clients.Connections.Dispose();
            }

            _clients.Clear();
        }
    }

    private PoolClients Create(PoolClientSettings settings, PoolConfig pool, string configDirectory, TimeProvider time)
    {
        var handler = Handler(settings);
        BackendTlsConnector? connector = null;
        if (settings.Tls is not null)
        {
            // Re-encryption: the connector opens TLS itself (SNI, CA), both legs speak HTTP/1.1 on it.
            var errors = new List<ConfigError>();
            connector = BackendTlsConnector.Create(pool, configDirectory, _logger, errors);
            foreach (var error in errors) TlsLog.PoolTlsRejected(_logger, error.Location.ToString(), pool.Name, error.Message);
            handler.ConnectCallback = connector is null ? RefuseConnect : connector.ConnectAsync;
        }

        var connections = new PoolConnections(settings.ConnectTimeout, connector, refuseConnections: settings.Tls is not null && connector is null, time)
        {
            IdleTimeout = settings.IdleTimeout,
            Lifetime = settings.Lifetime,
            MaxIdle = settings.MaxIdle,
        };
        return new PoolClients(new HttpMessageInvoker(handler, disposeHandler: true), connections, Http2Client(settings, pool, configDirectory));
    }

    // The HTTP/2 leg's handler: h2c over plain sockets, or h2 over the TLS the pool's connector opens offering h2 by
    // ALPN. The handler keeps the streams of each backend on one connection and opens another only when the backend's
    // SETTINGS_MAX_CONCURRENT_STREAMS is reached (EnableMultipleHttp2Connections).
    private HttpMessageInvoker? Http2Client(PoolClientSettings settings, PoolConfig pool, string configDirectory)
    {
        if (settings.Protocol == BackendProtocol.Http11) return null;
        var handler = Handler(settings);
        if (settings.Tls is not null)
        {
            // The data plane's errors were logged for the pool's other connector already.
            var connector = BackendTlsConnector.Create(pool, configDirectory, _logger, [], http2: true);
            handler.ConnectCallback = connector is null ? RefuseConnect : connector.ConnectAsync;
        }

        return new HttpMessageInvoker(handler, disposeHandler: true);
    }

    private static SocketsHttpHandler Handler(PoolClientSettings settings)
    {
        // The settings YARP's own ForwarderHttpClientFactory uses, plus our connect timeout: a proxy must
        // pass requests through untouched (no proxy, redirects, decompression or cookies of its own).
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = settings.ConnectTimeout,
            EnableMultipleHttp2Connections = true,
            // Tracing headers are the backend's and client's business; do not inject ours.
            ActivityHeadersPropagator = null,
            // The pool's keepalive: recycle connections now and then so DNS changes and backend-side rebalancing are
            // picked up, and close idle ones before the backend does.
            PooledConnectionLifetime = settings.Lifetime,
            PooledConnectionIdleTimeout = settings.IdleTimeout,
        };
        Debug.Assert(handler.ActivityHeadersPropagator is null);
        return handler;
    }
}
