using System.Net;
using Fulcrum.Core.Geo;
using MaxMind.Db;

namespace Fulcrum.Geo;

/// <summary>
/// A MaxMind DB file (the format of GeoLite2 and GeoIP2, maxmind.github.io/MaxMind-DB) read by MaxMind.Db. The
/// country is the record's `country.iso_code`, else `registered_country.iso_code` (anycast and satellite networks
/// have only the latter); the continent is `continent.code`. The file is read into memory once, so a reload that
/// replaces it never pulls pages from under a lookup in flight.
/// </summary>
internal sealed class MaxMindGeoDatabase : IGeoLookup, IDisposable
{
    private readonly Reader _reader;

    private MaxMindGeoDatabase(Reader reader) => _reader = reader;

    public static MaxMindGeoDatabase? Open(string path, out string? error)
    {
        error = null;
        Reader? reader = null;
        try
        {
            reader = new Reader(path, FileAccessMode.Memory);
            // A lookup walks the search tree and decodes a record: a file cut short or scrambled fails here, not on traffic.
            reader.Find<Dictionary<string, object>>(IPAddress.Parse("1.1.1.1"));
            return new MaxMindGeoDatabase(reader);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDatabaseException
                                      or InvalidDataException or ArgumentException or IndexOutOfRangeException or InvalidCastException)
        {
            reader?.Dispose();
            error = e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message;
            return null;
        }
    }

    public string DatabaseType => _reader.Metadata.DatabaseType;

    public GeoLocation? Find(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        try
        {
            var record = _reader.Find<Dictionary<string, object>>(address, out var prefixLength);
            if (record is null) return null;
            var country = Code(record, "country", "iso_code") ?? Code(record, "registered_country", "iso_code");
            var continent = Code(record, "continent", "code");
            return country is null && continent is null ? null : new GeoLocation(country, continent, prefixLength);
        }
        catch (Exception e) when (e is InvalidDatabaseException or InvalidDataException or ArgumentException or IndexOutOfRangeException or InvalidCastException)
        {
            // A database broken past what Open checked must not take a request or a dns answer down with it.
            return null;
        }
    }

    public void Dispose() => _reader.Dispose();

    private static string? Code(Dictionary<string, object> record, string section, string key) =>
        record.TryGetValue(section, out var value) && value is IDictionary<string, object> inner
        && inner.TryGetValue(key, out var code) && code is string text && text.Length > 0
            ? text.ToUpperInvariant()
            : null;
}
