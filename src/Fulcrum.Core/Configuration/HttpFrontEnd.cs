namespace Fulcrum.Core.Configuration;

/// <summary>
/// `front-end:` which HTTP server parses an http or https listener's requests (docs/configuration.md). Both feed the
/// same routes and filter chain.
/// </summary>
public enum HttpFrontEnd
{
    /// <summary>ASP.NET Core's Kestrel: HTTP/1.1, HTTP/2 (h2c, ALPN h2), upgrades.</summary>
    Kestrel,
    /// <summary>
    /// Fulcrum's own server on the event loop: HTTP/1.1 (src/Fulcrum.L7/FrontEnd/Http1) and HTTP/2 by ALPN or, with
    /// `h2c: true`, by prior knowledge (src/Fulcrum.L7/FrontEnd/Http2); no upgrades, no CONNECT.
    /// </summary>
    Fulcrum,
}
