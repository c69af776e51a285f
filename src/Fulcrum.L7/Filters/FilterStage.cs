namespace Fulcrum.L7.Filters;

/// <summary>
/// Where a filter sits in a route's chain (docs/design.md, "The filter chain"). On the request the chain runs from the
/// lowest stage to the highest, then the backend; on the response it runs back up in reverse, like Envoy's decoder
/// and encoder filters. The client's address is resolved before all of them (<see cref="TrustedProxies"/>), before
/// routing even, since routes match on it. Two filters of one stage keep the order the config gives them. Gaps leave room for the
/// edge features to come (allow/deny, rate limits, authentication, the WAF, the cache, compression).
/// </summary>
internal enum FilterStage
{
    /// <summary>What the connection says: the mTLS client subject, HSTS.</summary>
    Connection = 100,
    /// <summary>The X-Request-ID every later step logs.</summary>
    RequestId = 200,
    /// <summary>
    /// The route's response edits (`response-headers`, `security-headers`): above every filter that may answer, so
    /// a 429, a 401, a cache hit, a redirect and the balancer's own 502 get them as the backend's answers do.
    /// </summary>
    ResponseEdits = 250,
    /// <summary>Allow and deny lists.</summary>
    AccessControl = 400,
    RateLimit = 500,
    Authentication = 600,
    /// <summary>Rate limits keyed by a claim of the token authentication verified (`key: jwt:CLAIM`): after it, so the claim is one Fulcrum checked.</summary>
    ClaimRateLimit = 650,
    Waf = 700,
    /// <summary>
    /// The cache: on the request it runs before compression, so a hit answers before compression runs (what it stored
    /// is already encoded); on the response it runs after compression and stores what compression produced, with its
    /// `Vary: Accept-Encoding`, one variant per encoding (docs/caching.md).
    /// </summary>
    Cache = 800,
    /// <summary>Response compression: below the cache, so a stored response is compressed once, not on every hit.</summary>
    Compression = 900,
    /// <summary>Route answers that need no backend: redirects and fixed responses.</summary>
    Answer = 1000,
    /// <summary>Edits of the request on its way to the backend: trace context, X-Forwarded-*, `request-headers`, the path.</summary>
    RequestEdits = 1100,
    /// <summary>What the pick decided: the affinity cookie, the name of the backend that served.</summary>
    Backend = 1200,
}
