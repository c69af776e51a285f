namespace Fulcrum.Core.Cluster;

/// <summary>
/// Rate-limit counters shared by the cluster (`scope: cluster`): one atomic decision in Redis per request, with the
/// arithmetic of the local limiter. Unlike the rest of the cluster's state this is on the request path by nature;
/// a caller gets null when there is no answer in time and decides locally instead.
/// </summary>
public interface ISharedRateLimits
{
    /// <summary>Redis answered lately: worth asking. While false, callers decide locally at once instead of waiting.</summary>
    bool Reachable { get; }

    /// <summary>Members alive when Redis was last seen: a local fallback allows each instance its share of the limit.</summary>
    int Members { get; }

    /// <summary>Counts one request of <paramref name="key"/> against the limit named <paramref name="limit"/>; null when Redis did not answer in time.</summary>
    ValueTask<SharedRateDecision?> TakeAsync(string limit, ulong key, double rate, int burst);
}

/// <summary>What Redis decided for one request.</summary>
/// <param name="Allowed">False: over the limit; nothing was counted.</param>
/// <param name="Excess">The key's excess after this request (allowed), or what is left of it now (refused), in requests.</param>
/// <param name="Wait">For a refused request: how long until one would pass.</param>
public readonly record struct SharedRateDecision(bool Allowed, double Excess, TimeSpan Wait);
