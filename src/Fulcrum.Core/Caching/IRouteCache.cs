namespace Fulcrum.Core.Caching;

/// <summary>
/// One route's HTTP cache as the admin API and the metrics see it. The data plane implements it (Fulcrum.L7's
/// CacheStore); Core defines it so the admin API can list and purge caches without knowing the data plane.
/// </summary>
public interface IRouteCache
{
    string Listener { get; }
    string Route { get; }
    /// <summary>The cache's `max-size` in bytes.</summary>
    long MaxBytes { get; }
    /// <summary>Bytes the stored entries take now (bodies, headers and bookkeeping).</summary>
    long Bytes { get; }
    /// <summary>Stored responses now, each variant counted.</summary>
    int Entries { get; }
    CacheCounters Counters { get; }

    /// <summary>
    /// Removes the entries whose key (`scheme://host/path?query`) equals <paramref name="key"/>, or starts with
    /// <paramref name="prefix"/>; every entry when both are null. Returns how many it removed.
    /// </summary>
    int Purge(string? key, string? prefix);
}
