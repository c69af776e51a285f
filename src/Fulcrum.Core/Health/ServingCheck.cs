using Fulcrum.Core.Model;

namespace Fulcrum.Core.Health;

/// <summary>
/// Whether this balancer can serve what it is configured for, as the things outside that move traffic between nodes
/// ask it (keepalived's state file, `GET /healthz?require=backends` for the anycast hook): no, when some pool that has
/// backends has none that health says up and the operator left active. Spare capacity (backups) aside on purpose: a
/// node down to its backups should hand the traffic to a node that still has its primaries.
/// </summary>
public static class ServingCheck
{
    /// <summary>The name of the first pool with backends but none up and active; null when every such pool has one.</summary>
    public static string? PoolWithoutBackendUp(Topology topology)
    {
        foreach (var pool in topology.Pools.Values)
        {
            if (pool.Backends.Length == 0) continue;
            var up = false;
            foreach (var backend in pool.Backends)
            {
                if (backend.Intent == OperatorIntent.Active && backend.Health == HealthStatus.Up)
                {
                    up = true;
                    break;
                }
            }

            if (!up) return pool.Name;
        }

        return null;
    }
}
