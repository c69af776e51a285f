using Fulcrum.Core.Configuration;
using Fulcrum.Core.Geo;

namespace Fulcrum.Geo;

/// <summary>
/// The check `fulcrum validate` and `run` add to the parser's for `geo.database`: the file exists and reads as a
/// MaxMind DB. A mistake is reported at `database:`'s place, like a certificate that does not load.
/// </summary>
public static class GeoConfigCheck
{
    public static IReadOnlyList<ConfigError> Check(FulcrumConfig config, IGeoDatabases? databases = null)
    {
        if (config.Geo is not { Database: { Length: > 0 } path } geo) return [];
        var full = GeoLookups.FullPath(config, path);
        if ((databases ?? new MaxMindGeoDatabases()).Open(full, out var error) is not null) return [];
        return [new ConfigError(geo.DatabaseLocation, $"geo.database '{path}' ({full}) cannot be used: {error}; give a MaxMind DB file such as GeoLite2-Country.mmdb")];
    }
}
