namespace Fulcrum.Core.Configuration;

/// <summary>
/// `front-end:` which HTTP/1.1 server parses an http or https listener's requests (docs/configuration.md). Both feed the
/// same routes and filter chain; only Kestrel speaks HTTP/2.
/// </summary>
public enum HttpFrontEnd
{
    /// <summary>ASP.NET Core's Kestrel: HTTP/1.1, HTTP/2 (h2c, ALPN h2), upgrades.</summary>
    Kestrel,
    /// <summary>Fulcrum's own HTTP/1.1 server on the event loop (src/Fulcrum.L7/FrontEnd/Http1): HTTP/1.1 only.</summary>
    Fulcrum,
}
