namespace Fulcrum.Core.Geo;

/// <summary>
/// Opens geo database files for Core, which reads no file formats itself: the host gives a MaxMind DB reader
/// (Fulcrum.Geo). A failure is a value, never an exception.
/// </summary>
public interface IGeoDatabases
{
    /// <summary>The database at <paramref name="fullPath"/>, or null with <paramref name="error"/> saying why not.</summary>
    IGeoLookup? Open(string fullPath, out string? error);
}
