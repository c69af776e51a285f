namespace Fulcrum.Bench.Upgrade;

/// <summary>What the load sends through the balancer during an upgrade, one counter set each.</summary>
public enum Channel
{
    /// <summary>HTTP/1.1 requests on keep-alive connections to the http listener.</summary>
    Http,
    /// <summary>HTTP/1.1 requests on keep-alive TLS connections to the https listener.</summary>
    Https,
    /// <summary>HTTP/2 requests on a TLS connection to the https listener.</summary>
    Https2,
    /// <summary>A new connection to the http listener for each request (`Connection: close`).</summary>
    HttpConnect,
    /// <summary>A new connection to the tcp listener each time: greeting, echo, close.</summary>
    TcpConnect,
    /// <summary>One tcp connection held through the upgrade, a line echoed every few milliseconds.</summary>
    LongStream,
    /// <summary>One udp client address sending datagrams through the upgrade, each to be answered.</summary>
    Udp,
}
