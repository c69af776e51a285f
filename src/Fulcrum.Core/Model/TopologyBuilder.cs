using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Geo;
using Microsoft.Extensions.Logging;
using Fulcrum.Core.Protection;

namespace Fulcrum.Core.Model;

/// <summary>Builds the next generation, reusing the Backend objects of the previous one by (pool, id).</summary>
public static class TopologyBuilder
{
    public static Topology Build(FulcrumConfig config, Topology? previous, BalancerServices services) =>
        Build(config, previous, services, null, null);

    /// <summary>
    /// Builds from the file plus the runtime <paramref name="overlay"/> (see <see cref="RuntimeOverlay"/> for the rule).
    /// Backends of <paramref name="previous"/> that are not in the result are added to <paramref name="departed"/>.
    /// </summary>
    public static Topology Build(FulcrumConfig config, Topology? previous, BalancerServices services,
        RuntimeOverlay? overlay, List<(string Pool, Backend Backend)>? departed)
    {
        overlay?.Retain(config);
        var pools = new List<Pool>(config.Pools.Length);
        foreach (var poolConfig in config.Pools)
        {
            Pool? old = null;
            previous?.Pools.TryGetValue(poolConfig.Name, out old);
            var runtime = overlay?.Find(poolConfig.Name);
            var backends = new List<Backend>(poolConfig.Backends.Length);
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var bc in poolConfig.Backends)
            {
                var weight = bc.Weight;
                if (runtime is not null)
                {
                    runtime.Added.Remove(bc.Id); // the file declares it now: the file wins
                    if (runtime.Removed.TryGetValue(bc.Id, out var removed))
                    {
                        if (RuntimeOverlay.SameEntry(removed, bc)) continue;
                        runtime.Removed.Remove(bc.Id);
                    }

                    if (runtime.Weights.TryGetValue(bc.Id, out var w))
                    {
                        if (RuntimeOverlay.SameEntry(w.FileEntry, bc)) weight = w.Weight;
                        else runtime.Weights.Remove(bc.Id);
                    }
                }

                if (ids.Add(bc.Id)) backends.Add(Reuse(old, bc, weight, poolConfig, previous is not null, services));
            }

            if (runtime is not null)
            {
                foreach (var added in runtime.Added.Values)
                {
                    if (ids.Add(added.Id)) backends.Add(Reuse(old, added, added.Weight, poolConfig, previous is not null, services));
                }
            }

            pools.Add(new Pool(poolConfig, backends.ToArray(), services) { Admission = AdmissionFor(poolConfig, old, services) });
        }

        var next = new Topology(config, pools, (previous?.Generation ?? 0) + 1) { Geo = BuildGeo(config, services) };
        if (previous is not null && departed is not null) FindDeparted(previous, next, departed);
        return next;
    }

    private static IGeoLookup? BuildGeo(FulcrumConfig config, BalancerServices services)
    {
        var geo = GeoLookups.Build(config, services.GeoDatabases, out var error);
        if (error is not null && config.Geo?.Database is { } path)
            GeoLog.DatabaseUnavailable(services.LoggerFactory.CreateLogger("Fulcrum.Geo"), path, error);
        return geo;
    }

    // Kept while the pool has a breaker or a limit, so requests in flight stay counted across the reload.
    private static PoolAdmission? AdmissionFor(PoolConfig config, Pool? old, BalancerServices services)
    {
        if (config.CircuitBreaker is null && config.AdaptiveConcurrency is null) return null;
        var admission = old?.Admission ?? new PoolAdmission(config.Name, services.Time, services.Random);
        admission.Configure(config.CircuitBreaker, config.AdaptiveConcurrency);
        return admission;
    }

    private static Backend Reuse(Pool? old, BackendConfig bc, int weight, PoolConfig poolConfig, bool isReload, BalancerServices services)
    {
        var kept = old?.Find(bc.Id);
        Backend backend;
        if (kept is not null && kept.Address == bc.Address)
        {
            kept.Weight = weight;
            kept.IsBackup = bc.Backup;
            backend = kept;
        }
        else
        {
            backend = new Backend(bc.Id, bc.Address, weight, bc.Backup);
            // A backend added by a reload or the API ramps up; the first generation starts at full weight.
            if (isReload) backend.StartSlowStart(services.Time);
        }

        backend.MaxConnections = poolConfig.BackendMaxConnections;
        return backend;
    }

    private static void FindDeparted(Topology previous, Topology next, List<(string Pool, Backend Backend)> departed)
    {
        foreach (var (name, oldPool) in previous.Pools)
        {
            next.Pools.TryGetValue(name, out var newPool);
            foreach (var b in oldPool.Backends)
            {
                if (newPool is null || !ReferenceEquals(newPool.Find(b.Id), b)) departed.Add((name, b));
            }
        }
    }
}
