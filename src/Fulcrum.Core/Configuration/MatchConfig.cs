using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>All present conditions must hold (AND). An empty match matches everything.</summary>
public sealed record MatchConfig
{
    public static readonly MatchConfig Any = new();

    /// <summary>Any of these hosts; `*.example.com` matches one or more labels before example.com.</summary>
    public ImmutableArray<string> Hosts { get; init; } = [];
    public string? PathPrefix { get; init; }
    public string? PathRegex { get; init; }
    public ImmutableArray<string> Methods { get; init; } = [];
    public ImmutableArray<ValueMatch> Headers { get; init; } = [];
    public ImmutableArray<ValueMatch> Cookies { get; init; } = [];
    public ImmutableArray<ValueMatch> Query { get; init; } = [];
    /// <summary>Client address in any of these CIDR blocks, e.g. 10.0.0.0/8 or ::1/128.</summary>
    public ImmutableArray<string> ClientCidrs { get; init; } = [];
    /// <summary>The client's country or continent, from the `geo:` section's lookup (docs/gslb.md#geo).</summary>
    public GeoMatchConfig? Geo { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
}

/// <summary>A named value (header, cookie, query parameter) and one test on it.</summary>
public sealed record ValueMatch
{
    public required string Name { get; init; }
    public string? EqualTo { get; init; }
    public string? Contains { get; init; }
    public string? Regex { get; init; }
    /// <summary>When no other test is given the value only has to be present.</summary>
    public bool Present { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
