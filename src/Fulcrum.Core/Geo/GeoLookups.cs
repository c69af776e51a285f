using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Geo;

/// <summary>Builds a topology's one <see cref="IGeoLookup"/> from the `geo:` section.</summary>
public static class GeoLookups
{
    /// <summary>
    /// Null without a `geo:` section. A database that no longer opens (changed after `validate` passed it) leaves the
    /// `networks` map alone serving, with <paramref name="error"/> set for the caller to log; it never throws.
    /// </summary>
    public static IGeoLookup? Build(FulcrumConfig config, IGeoDatabases? databases, out string? error)
    {
        error = null;
        if (config.Geo is not { } geo) return null;
        var map = new CidrGeoMap(geo.Networks);
        if (geo.Database is not { Length: > 0 } path) return map;
        if (databases is null)
        {
            error = "no geo database reader in this process";
            return map;
        }

        var database = databases.Open(FullPath(config, path), out error);
        if (database is null) return map;
        return geo.Networks.IsEmpty ? database : new GeoLookupChain(map, database);
    }

    /// <summary>Paths are relative to the config file's folder, like certificates'.</summary>
    public static string FullPath(FulcrumConfig config, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(config.SourcePath)) ?? Directory.GetCurrentDirectory();
        return Path.GetFullPath(Path.Combine(directory, path));
    }
}
