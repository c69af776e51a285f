using Fulcrum.Admin.Json;
using Fulcrum.Core.Cluster;

namespace Fulcrum.Admin;

/// <summary>Builds GET /api/cluster from what the cluster last saw; Redis is not asked.</summary>
internal static class ClusterViews
{
    public static ClusterView Of(IClusterView? cluster)
    {
        if (cluster is null) return new ClusterView(false, Environment.MachineName);
        var s = cluster.Status;
        var members = new List<ClusterMemberView>(s.Members.Length);
        foreach (var m in s.Members) members.Add(new ClusterMemberView(m.Instance, m.LastHeartbeat, m.Started, m.Alive, m.Self));
        return new ClusterView(true, s.Instance, s.Redis, s.RedisReachable, s.ReachableSince, s.LastSync, s.Outages, s.RateLimitFallbacks, members);
    }
}
