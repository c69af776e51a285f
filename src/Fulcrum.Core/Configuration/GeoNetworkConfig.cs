namespace Fulcrum.Core.Configuration;

/// <summary>One entry of `geo.networks`: clients in <see cref="Cidr"/> are in this country and continent.</summary>
public sealed record GeoNetworkConfig
{
    /// <summary>`cidr:` as `address/length`.</summary>
    public required string Cidr { get; init; }
    /// <summary>`country:` an ISO 3166-1 alpha-2 code, upper case (DE); null when not given.</summary>
    public string? Country { get; init; }
    /// <summary>`continent:` one of AF AN AS EU NA OC SA (MaxMind's codes); null when not given.</summary>
    public string? Continent { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
