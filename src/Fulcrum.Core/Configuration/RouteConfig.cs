using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>A match and exactly one action: a pool, a weighted split, a redirect, a fixed response or static files.</summary>
public sealed record RouteConfig
{
    public string? Name { get; init; }
    public MatchConfig Match { get; init; } = MatchConfig.Any;
    public string? Pool { get; init; }
    public ImmutableArray<SplitTarget> Split { get; init; } = [];
    public RedirectConfig? Redirect { get; init; }
    public FixedResponseConfig? Respond { get; init; }
    /// <summary>`static`: files from a folder answer the request (docs/routing.md); null when the route has another action.</summary>
    public StaticFilesConfig? Static { get; init; }
    /// <summary>`compress`: responses encoded with gzip, br or zstd for clients that accept them (docs/compression.md).</summary>
    public CompressConfig? Compress { get; init; }
    public TransformsConfig Transforms { get; init; } = TransformsConfig.None;
    /// <summary>Filters found by name, each placed in the chain by its stage (docs/routing.md, "Filters").</summary>
    public ImmutableArray<FilterConfig> Filters { get; init; } = [];
    /// <summary>`rate-limit`: one or several limits, each counted apart (docs/protection.md).</summary>
    public ImmutableArray<RateLimitConfig> RateLimits { get; init; } = [];
    /// <summary>`auth`: JWT, basic or forward authentication before the backend (docs/protection.md).</summary>
    public AuthConfig? Auth { get; init; }
    /// <summary>`allow`: CIDR blocks; when given, clients outside them get 403.</summary>
    public ImmutableArray<string> Allow { get; init; } = [];
    /// <summary>`deny`: CIDR blocks whose clients get 403, allowed or not.</summary>
    public ImmutableArray<string> Deny { get; init; } = [];
    /// <summary>`waf`: the OWASP CRS through ModSecurity (docs/protection.md); null when the route has none.</summary>
    public WafConfig? Waf { get; init; }
    /// <summary>`cache`: an RFC 9111 shared cache for this route (docs/caching.md); null when the route has none.</summary>
    public CacheConfig? Cache { get; init; }
    /// <summary>`priority:` which requests a pool's adaptive concurrency limit refuses first (docs/protection.md).</summary>
    public RequestPriority Priority { get; init; } = RequestPriority.Normal;
    public SourceLocation Location { get; init; } = SourceLocation.None;
}

public sealed record SplitTarget(string Pool, int Weight, SourceLocation Location);

public sealed record RedirectConfig
{
    /// <summary>Absolute URL or path; when null only the scheme/host/port below change and path and query are kept.</summary>
    public string? To { get; init; }
    /// <summary><see cref="To"/> with its variables (`${host}`, `${1}`...), when it has any; null for a plain target.</summary>
    public ValueTemplate? ToTemplate { get; init; }
    public string? Scheme { get; init; }
    public string? Host { get; init; }
    public int? Port { get; init; }
    public int Status { get; init; } = 302;
    public SourceLocation Location { get; init; } = SourceLocation.None;
}

public sealed record FixedResponseConfig
{
    public int Status { get; init; } = 200;
    public string Body { get; init; } = "";
    public string ContentType { get; init; } = "text/plain; charset=utf-8";
    public ImmutableDictionary<string, string> Headers { get; init; } = ImmutableDictionary<string, string>.Empty;
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
