namespace Fulcrum.Core.Geo;

/// <summary>
/// Where an address is: its country (ISO 3166-1 alpha-2) and continent (AF AN AS EU NA OC SA), either unknown as null,
/// and the prefix length of the network the answer holds for (an ECS answer's scope, RFC 7871 7.2.1).
/// </summary>
public readonly record struct GeoLocation(string? Country, string? Continent, int PrefixLength);
