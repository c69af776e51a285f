using System.Collections.Frozen;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Geo;

/// <summary>A compiled <see cref="GeoMatchConfig"/>: the location's country is listed, or its continent is.</summary>
public sealed class GeoMatch(GeoMatchConfig config)
{
    private readonly FrozenSet<string> _countries = config.Countries.ToFrozenSet(StringComparer.Ordinal);
    private readonly FrozenSet<string> _continents = config.Continents.ToFrozenSet(StringComparer.Ordinal);

    public bool Matches(GeoLocation location) =>
        (location.Country is { } country && _countries.Contains(country))
        || (location.Continent is { } continent && _continents.Contains(continent));

    /// <summary>The country is listed: nearer than a continent match.</summary>
    public bool MatchesCountry(GeoLocation location) => location.Country is { } country && _countries.Contains(country);

    public bool MatchesContinent(GeoLocation location) => location.Continent is { } continent && _continents.Contains(continent);
}
