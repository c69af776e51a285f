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
}
