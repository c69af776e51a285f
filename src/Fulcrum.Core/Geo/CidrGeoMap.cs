using System.Net;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Geo;

/// <summary>
/// `geo.networks`: CIDR blocks and where they are, the longest matching prefix winning as in a routing table. A linear
/// walk over blocks sorted longest first: maps written by hand hold tens of entries, not the millions of a database.
/// </summary>
public sealed class CidrGeoMap : IGeoLookup
{
    private readonly (IPNetwork Network, GeoLocation Location)[] _entries;

    public CidrGeoMap(IEnumerable<GeoNetworkConfig> networks)
    {
        var entries = new List<(IPNetwork, GeoLocation)>();
        foreach (var network in networks)
        {
            if (!IPNetwork.TryParse(network.Cidr, out var parsed)) continue;
            entries.Add((parsed, new GeoLocation(network.Country, network.Continent, parsed.PrefixLength)));
        }

        _entries = [.. entries.OrderByDescending(static e => e.Item1.PrefixLength)];
    }

    public GeoLocation? Find(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var (network, location) in _entries)
        {
            if (network.Contains(address)) return location;
        }

        return null;
    }
}
