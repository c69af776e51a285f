using System.Net;

namespace Fulcrum.Core.Geo;

/// <summary>The `networks` map first, so an operator can correct or extend the database; then the database.</summary>
public sealed class GeoLookupChain(IGeoLookup first, IGeoLookup second) : IGeoLookup
{
    public GeoLocation? Find(IPAddress address) => first.Find(address) ?? second.Find(address);
}
