using Fulcrum.L7.BackendHttp;

namespace Fulcrum.L7.Forwarding;

/// <summary>
/// A pool's two ways to its backends, kept together across reloads while the pool's connection settings stay:
/// the HttpClient handler YARP's forwarder uses (upgrades), and the lean leg's keep-alive connections.
/// </summary>
internal sealed class PoolClients(HttpMessageInvoker client, PoolConnections connections)
{
    public HttpMessageInvoker Client { get; } = client;

    public PoolConnections Connections { get; } = connections;
}
