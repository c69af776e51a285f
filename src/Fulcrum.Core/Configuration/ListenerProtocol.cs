namespace Fulcrum.Core.Configuration;

public enum ListenerProtocol
{
    Http,
    Https,
    Tcp,
    Udp,
    /// <summary>An authoritative DNS server (UDP and TCP on the same port) answering from pool health: docs/gslb.md.</summary>
    Dns,
}
