using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Model;

/// <summary>Builds the next generation, reusing the Backend objects of the previous one by (pool, id).</summary>
public static class TopologyBuilder
{
    public static Topology Build(FulcrumConfig config, Topology? previous, BalancerServices services)
    {
        var pools = new List<Pool>(config.Pools.Length);
        foreach (var poolConfig in config.Pools)
        {
            Pool? old = null;
            previous?.Pools.TryGetValue(poolConfig.Name, out old);
            var backends = new Backend[poolConfig.Backends.Length];
            for (var i = 0; i < backends.Length; i++)
            {
                var bc = poolConfig.Backends[i];
                var kept = old?.Find(bc.Id);
                if (kept is not null && kept.Address == bc.Address)
                {
                    kept.Weight = bc.Weight;
                    kept.IsBackup = bc.Backup;
                    backends[i] = kept;
                }
                else
                {
                    backends[i] = Backend.From(bc);
                }

                backends[i].MaxConnections = poolConfig.BackendMaxConnections;
            }

            pools.Add(new Pool(poolConfig, backends, services));
        }

        return new Topology(config, pools, (previous?.Generation ?? 0) + 1);
    }
}
