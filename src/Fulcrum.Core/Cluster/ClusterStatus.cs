using System.Collections.Immutable;

namespace Fulcrum.Core.Cluster;

/// <summary>What this instance knows of its cluster now: what `GET /api/cluster`, the dashboard and the metrics show.</summary>
/// <param name="Instance">This instance's name.</param>
/// <param name="Redis">The Redis it shares state through, without a password.</param>
/// <param name="RedisReachable">The last exchange with Redis succeeded. While false, this instance serves on its last known state.</param>
/// <param name="ReachableSince">When <paramref name="RedisReachable"/> last changed (the outage's start, or the recovery's).</param>
/// <param name="LastSync">When this instance last caught up with Redis's state (a heartbeat, or a full read after an outage); null before the first.</param>
/// <param name="Outages">Times Redis went from reachable to unreachable since start.</param>
/// <param name="Members">Every member seen in Redis, this one among them, alive or not.</param>
/// <param name="RateLimitFallbacks">`scope: cluster` rate-limit decisions made locally because Redis was unreachable or slow.</param>
public sealed record ClusterStatus(
    string Instance,
    string Redis,
    bool RedisReachable,
    DateTimeOffset ReachableSince,
    DateTimeOffset? LastSync,
    long Outages,
    ImmutableArray<ClusterMember> Members,
    long RateLimitFallbacks)
{
    /// <summary>Members whose heartbeat is recent, this one always among them: what `scope: cluster` limits divide by without Redis.</summary>
    public int AliveMembers
    {
        get
        {
            var alive = 0;
            var self = false;
            foreach (var m in Members)
            {
                if (m.Alive) alive++;
                if (m.Self && m.Alive) self = true;
            }

            return self ? alive : alive + 1;
        }
    }
}

/// <summary>One member of the cluster as last read from Redis.</summary>
/// <param name="Instance">Its name (`cluster.instance`).</param>
/// <param name="LastHeartbeat">When it last wrote its heartbeat.</param>
/// <param name="Started">When it started.</param>
/// <param name="Alive">Its last heartbeat is at most three heartbeats old.</param>
/// <param name="Self">It is this instance.</param>
public sealed record ClusterMember(string Instance, DateTimeOffset LastHeartbeat, DateTimeOffset Started, bool Alive, bool Self);
