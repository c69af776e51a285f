using System.Diagnostics.Metrics;
using Fulcrum.Core.Cluster;

namespace Fulcrum.Core.Observability;

/// <summary>
/// The cluster's instruments on the "Fulcrum" meter (docs/metrics.md, "Cluster"), read from the cluster's
/// <see cref="ClusterStatus"/> when a collector asks, so Redis is never asked for them.
/// </summary>
internal static class ClusterMetrics
{
    public static void AddTo(Meter meter, IClusterView cluster)
    {
        meter.CreateObservableGauge("fulcrum.cluster.redis.reachable", () => cluster.Status.RedisReachable ? 1L : 0L, null,
            "1 while Redis answers; 0 while this instance serves on its last known cluster state");
        meter.CreateObservableGauge("fulcrum.cluster.members", () => (long)cluster.Status.AliveMembers, null,
            "members alive (heartbeat at most three heartbeats old), this one included");
        meter.CreateObservableGauge("fulcrum.cluster.last_sync_seconds", () => cluster.Status.LastSync?.ToUnixTimeSeconds() ?? 0L, "s",
            "Unix time this instance last caught up with Redis's state; 0 before the first");
        meter.CreateObservableCounter("fulcrum.cluster.outages", () => cluster.Status.Outages, null,
            "times Redis became unreachable since start");
        meter.CreateObservableCounter("fulcrum.cluster.rate_limit.fallbacks", () => cluster.Status.RateLimitFallbacks, null,
            "scope: cluster rate-limit decisions made locally because Redis was unreachable or slow");
    }
}
