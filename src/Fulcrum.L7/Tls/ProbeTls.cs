using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.L7.Tls;

/// <summary>
/// How active health probes of a re-encrypting pool open their connections: through the same
/// <see cref="BackendTlsConnector"/> settings as traffic (SNI, the pool's CA or the system store, insecure-skip-verify),
/// so a backend whose certificate traffic would refuse is down, as HAProxy's check-ssl and Envoy's health checks
/// treat it, instead of up and answering every request with a 502.
/// </summary>
public static class ProbeTls
{
    /// <summary>The connect function for <paramref name="pool"/>'s probes; null when the pool does not re-encrypt.</summary>
    public static Func<DnsEndPoint, CancellationToken, ValueTask<Stream>>? For(Topology topology, PoolConfig pool)
    {
        if (pool.Tls is null) return null;
        // The data plane already logs the pool's TLS warnings and config errors; the probe's own failures name
        // the handshake in the health log.
        // gRPC probes speak HTTP/2, so their handshake offers h2 (the http probe's GET goes as HTTP/1.1).
        var http2 = pool.Health.Active?.Type == HealthCheckType.Grpc;
        var connector = BackendTlsConnector.Create(pool, TlsConfigCheck.BaseDirectoryOf(topology.Config), NullLogger.Instance, [], http2);
        return connector is null ? Refuse : connector.ConnectAsync;
    }

    // The pool's CA bundle cannot be read: traffic refuses to connect, and so do the probes.
    private static ValueTask<Stream> Refuse(DnsEndPoint endpoint, CancellationToken cancellationToken) =>
        ValueTask.FromException<Stream>(new IOException($"pool tls settings could not be loaded; not connecting to {endpoint.Host}:{endpoint.Port}"));
}
