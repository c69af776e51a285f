using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// `geo: { country: [DE, FR], continent: [EU] }`: an address whose country is listed, or whose continent is listed,
/// matches (either list may be left out). A route's match and a dns site's preference read the same shape.
/// </summary>
public sealed record GeoMatchConfig
{
    /// <summary>ISO 3166-1 alpha-2 codes, upper case.</summary>
    public ImmutableArray<string> Countries { get; init; } = [];
    /// <summary>Continent codes, upper case: AF AN AS EU NA OC SA.</summary>
    public ImmutableArray<string> Continents { get; init; } = [];
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
