using Fulcrum.L7.BackendHttp;

namespace Fulcrum.L7.Forwarding;

/// <summary>
/// A pool's ways to its backends, kept together across reloads while the pool's connection settings stay:
/// the HttpClient handler YARP's forwarder uses (upgrades), the lean leg's keep-alive connections, and for a pool with
/// `backend-protocol: h2c` or `h2` the handler of the HTTP/2 leg (its TLS offers h2 by ALPN, the upgrades' http/1.1).
/// </summary>
internal sealed class PoolClients(HttpMessageInvoker client, PoolConnections connections, HttpMessageInvoker? http2 = null)
{
    public HttpMessageInvoker Client { get; } = client;

    /// <summary>The HTTP/2 leg's client; null for an http/1.1 pool.</summary>
    public HttpMessageInvoker? Http2 { get; } = http2;

    public PoolConnections Connections { get; } = connections;
}
