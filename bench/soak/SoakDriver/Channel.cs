namespace Fulcrum.Bench.Soak;

/// <summary>One kind of traffic the soak sends: a listener protocol, and for https the HTTP version.</summary>
public enum Channel
{
    Http,
    Https1,
    Https2,
    Tcp,
    Udp,
}
