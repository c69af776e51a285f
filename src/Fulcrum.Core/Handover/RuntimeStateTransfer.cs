using Fulcrum.Core.Balancing;
using Fulcrum.Core.Health;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Handover;

/// <summary>
/// Captures a running store's <see cref="RuntimeState"/> and restores one into a new store before its first request.
/// The overlay goes back through the same rule a reload applies (<see cref="RuntimeOverlay"/>), so a new config that
/// changed a backend wins over the operator's change to it, exactly as a reload of that config would.
/// </summary>
internal static class RuntimeStateTransfer
{
    /// <summary>The caller holds the store's apply lock, which guards the overlay.</summary>
    public static RuntimeState Capture(Topology topology, RuntimeOverlay overlay)
    {
        var pools = new List<PoolRuntimeState>(topology.Pools.Count);
        foreach (var (name, pool) in topology.Pools)
        {
            var state = new PoolRuntimeState { Name = name };
            if (overlay.Find(name) is { } runtime)
            {
                foreach (var added in runtime.Added.Values) state.Added.Add(BackendEntry.From(added));
                foreach (var (id, (weight, file)) in runtime.Weights) state.Weights.Add(new WeightEntry { Id = id, Weight = weight, File = BackendEntry.From(file) });
                foreach (var removed in runtime.Removed.Values) state.Removed.Add(BackendEntry.From(removed));
            }

            foreach (var backend in pool.Backends) state.Backends.Add(Capture(backend));
            pools.Add(state);
        }

        return new RuntimeState { Pools = pools };
    }

    /// <summary>Fills an empty overlay from <paramref name="state"/>, before the store builds its first topology.</summary>
    public static void LoadOverlay(RuntimeOverlay overlay, RuntimeState state)
    {
        foreach (var pool in state.Pools)
        {
            if (pool.Added.Count == 0 && pool.Weights.Count == 0 && pool.Removed.Count == 0) continue;
            var runtime = overlay.For(pool.Name);
            foreach (var added in pool.Added) runtime.Added[added.ToConfig().Id] = added.ToConfig();
            foreach (var weight in pool.Weights) runtime.Weights[weight.Id] = (weight.Weight, weight.File.ToConfig());
            foreach (var removed in pool.Removed) runtime.Removed[removed.ToConfig().Id] = removed.ToConfig();
        }
    }

    /// <summary>Restores intent and health onto the backends of <paramref name="topology"/> that kept their pool, id and address; returns how many.</summary>
    public static int RestoreBackends(Topology topology, RuntimeState state, BalancerServices services)
    {
        var restored = 0;
        foreach (var poolState in state.Pools)
        {
            if (!topology.Pools.TryGetValue(poolState.Name, out var pool)) continue;
            foreach (var backendState in poolState.Backends)
            {
                var backend = pool.Find(backendState.Id);
                if (backend is null || backend.Address != backendState.Address) continue;
                Restore(pool, backend, backendState, services);
                restored++;
            }
        }

        return restored;
    }

    private static BackendRuntimeState Capture(Backend backend)
    {
        var state = new BackendRuntimeState
        {
            Id = backend.Id,
            Address = backend.Address,
            Intent = backend.Intent,
            DrainLeftMs = backend.Drain?.TimeLeft.TotalMilliseconds ?? 0,
        };
        return backend.HealthDetail.Capture(state);
    }

    private static void Restore(Pool pool, Backend backend, BackendRuntimeState state, BalancerServices services)
    {
        switch (state.Intent)
        {
            case OperatorIntent.Draining:
                // Drained in place: nothing is in flight here, so it parks at once and keeps serving sticky clients
                // for the drain-timeout it had left.
                backend.Intent = OperatorIntent.Draining;
                var drain = new DrainState(backend, pool.Name, TimeSpan.FromMilliseconds(Math.Max(0, state.DrainLeftMs)), removing: false,
                    services.Time, pool.Logger, null);
                backend.Drain = drain;
                drain.Start();
                break;
            case OperatorIntent.Maintenance:
                backend.Intent = OperatorIntent.Maintenance;
                break;
        }

        backend.HealthDetail.Restore(state);
    }
}
