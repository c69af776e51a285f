using System.Net;
using Fulcrum.Core.Geo;
using Fulcrum.Core.Model;

namespace Fulcrum.Dns.Answers;

/// <summary>
/// One backend of a record's pool as a dns answer: its address (the port is the health check's, not the answer's),
/// its live state through <see cref="Backend"/>, and the clients it is nearest to (the backend's `geo:`).
/// </summary>
internal sealed record Site(Backend Backend, IPAddress Address, GeoMatch? Geo, int Order)
{
    /// <summary>0 for a site in the client's country, 1 in its continent, 2 otherwise (or when the client is unknown).</summary>
    public int Distance(GeoLocation? client)
    {
        if (client is not { } where || Geo is null) return 2;
        if (Geo.MatchesCountry(where)) return 0;
        return Geo.MatchesContinent(where) ? 1 : 2;
    }
}
