namespace Fulcrum.Core.Configuration;

/// <summary>`type:` of an active check.</summary>
public enum HealthCheckType
{
    /// <summary>GET path; the status must fall in `expect`, the body must contain `body` if set.</summary>
    Http,
    /// <summary>A TCP connect that completes within the timeout.</summary>
    Tcp,
    /// <summary>Sends `send` as one datagram; passes when a reply (containing `body`, if set) arrives within the timeout.</summary>
    Udp,
    /// <summary>
    /// grpc.health.v1.Health/Check over HTTP/2 (h2c, or h2 with the pool's tls), for `service` (default: the server
    /// as a whole); passes when the answer is SERVING.
    /// </summary>
    Grpc,
}
