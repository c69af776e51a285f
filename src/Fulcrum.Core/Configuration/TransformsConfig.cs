using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

public sealed record TransformsConfig
{
    public static readonly TransformsConfig None = new();

    public HeaderEdits RequestHeaders { get; init; } = HeaderEdits.None;
    public HeaderEdits ResponseHeaders { get; init; } = HeaderEdits.None;
    /// <summary>`rewrite`: a regex over the path and the path it becomes, with the regex's captures; applied before the prefixes.</summary>
    public RewriteConfig? Rewrite { get; init; }
    /// <summary>Removed from the start of the path before forwarding, e.g. /api.</summary>
    public string? StripPrefix { get; init; }
    /// <summary>Put in front of the (possibly stripped) path, e.g. /v2.</summary>
    public string? AddPrefix { get; init; }
    /// <summary>Adds HSTS-free security headers: X-Content-Type-Options, X-Frame-Options, Referrer-Policy, ...</summary>
    public bool SecurityHeaders { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
}

/// <summary>add appends a value, set replaces every value, remove deletes the header.</summary>
public sealed record HeaderEdits
{
    public static readonly HeaderEdits None = new();

    public ImmutableArray<KeyValuePair<string, string>> Add { get; init; } = [];
    public ImmutableArray<KeyValuePair<string, string>> Set { get; init; } = [];
    public ImmutableArray<string> Remove { get; init; } = [];

    public bool IsEmpty => Add.IsEmpty && Set.IsEmpty && Remove.IsEmpty;
}
