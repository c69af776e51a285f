namespace Fulcrum.Core.Configuration;

public enum ListenerProtocol
{
    Http,
    Https,
    Tcp,
    Udp,
}
