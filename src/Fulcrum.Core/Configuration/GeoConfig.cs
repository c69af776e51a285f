using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// The `geo:` section: how a client address becomes a country and a continent. The `networks` map is consulted first
/// (longest prefix wins), then the MaxMind DB `database`. Both the L7 routes' `geo` match and the dns listeners use it.
/// </summary>
public sealed record GeoConfig
{
    /// <summary>`database:` a MaxMind DB file (GeoLite2-Country, GeoIP2-Country or -City), relative to the config file's folder; null: none.</summary>
    public string? Database { get; init; }
    /// <summary>`networks:` CIDR blocks with the country and continent they stand for; looked up before the database.</summary>
    public ImmutableArray<GeoNetworkConfig> Networks { get; init; } = [];
    public SourceLocation Location { get; init; } = SourceLocation.None;
    /// <summary>Where `database:` was written, for errors about the file.</summary>
    public SourceLocation DatabaseLocation { get; init; } = SourceLocation.None;
}
