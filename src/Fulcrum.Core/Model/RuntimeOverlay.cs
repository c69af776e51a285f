using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Model;

/// <summary>
/// Runtime changes made through the admin API, kept on top of the config file across reloads.
/// The rule: a runtime change to a backend holds until the file changes that same backend
/// (its address, weight or backup flag) or drops it; then the file wins and the change is forgotten.
/// Backends added at runtime stay until the file declares a backend with the same id or drops the pool.
/// Drain and maintenance live on the <see cref="Backend"/> itself, which a reload keeps while its id and
/// address stay, so they survive reloads by the same rule. Guarded by the store's apply lock.
/// </summary>
public sealed class RuntimeOverlay
{
    private readonly Dictionary<string, PoolOverlay> _pools = new(StringComparer.Ordinal);

    internal PoolOverlay For(string pool)
    {
        if (!_pools.TryGetValue(pool, out var overlay))
        {
            overlay = new PoolOverlay();
            _pools.Add(pool, overlay);
        }

        return overlay;
    }

    internal PoolOverlay? Find(string pool) => _pools.GetValueOrDefault(pool);

    /// <summary>Forgets pools the file no longer has.</summary>
    internal void Retain(FulcrumConfig config)
    {
        List<string>? gone = null;
        foreach (var name in _pools.Keys)
        {
            var found = false;
            foreach (var p in config.Pools)
            {
                if (p.Name == name) found = true;
            }

            if (!found) (gone ??= []).Add(name);
        }

        if (gone is null) return;
        foreach (var name in gone) _pools.Remove(name);
    }

    /// <summary>Same backend for the overlay rule: address, weight and backup flag (not the source location).</summary>
    internal static bool SameEntry(BackendConfig? a, BackendConfig b) =>
        a is not null && a.Address == b.Address && a.Weight == b.Weight && a.Backup == b.Backup;
}
