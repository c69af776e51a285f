using Fulcrum.Core.Geo;

namespace Fulcrum.Geo;

/// <summary>
/// The host's <see cref="IGeoDatabases"/>: opens MaxMind DB files and keeps the last one opened per path while the
/// file's size and modification time stay the same, so a reload that does not touch the database does not read it again.
/// </summary>
public sealed class MaxMindGeoDatabases : IGeoDatabases
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (DateTime Modified, long Length, MaxMindGeoDatabase Database)> _open = new(StringComparer.Ordinal);

    public IGeoLookup? Open(string fullPath, out string? error)
    {
        error = null;
        var file = new FileInfo(fullPath);
        if (!file.Exists)
        {
            error = "no such file";
            return null;
        }

        lock (_gate)
        {
            if (_open.TryGetValue(fullPath, out var cached) && cached.Modified == file.LastWriteTimeUtc && cached.Length == file.Length)
                return cached.Database;
            var database = MaxMindGeoDatabase.Open(fullPath, out error);
            if (database is null) return null;
            // The one it replaces is left to the collector: a topology still serving may hold it.
            _open[fullPath] = (file.LastWriteTimeUtc, file.Length, database);
            return database;
        }
    }
}
