using System.Net;

namespace Fulcrum.Core.Geo;

/// <summary>
/// Maps a client address to where it is. One instance per topology serves the L7 routes' `geo` match and the dns
/// listeners alike, so both see a client in the same place. Implementations are thread-safe and never throw.
/// </summary>
public interface IGeoLookup
{
    /// <summary>The address's location, or null when nothing is known of it.</summary>
    GeoLocation? Find(IPAddress address);
}
