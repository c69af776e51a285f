using Fulcrum.Core.Affinity;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Model;

/// <summary>
/// Backends plus how to choose among them. Immutable for one topology generation: a change to the
/// set of backends makes a new Pool (and new balancers) around the same Backend objects.
/// </summary>
public sealed class Pool
{
    private readonly IBalancer _primary;
    private readonly IBalancer _backup;

    public Pool(PoolConfig config, Backend[] backends, BalancerServices services)
    {
        Config = config;
        Services = services;
        Backends = backends;
        Primaries = Array.FindAll(backends, b => !b.IsBackup);
        Backups = Array.FindAll(backends, b => b.IsBackup);
        var factory = BalancerRegistry.Get(config.Algorithm);
        UsesHash = factory.UsesHash;
        _primary = factory.Create(Primaries, services);
        _backup = factory.Create(Backups, services);
        Affinity = config.Affinity is null ? null : new PoolAffinity(config.Name, config.Affinity, Primaries, Backups, services);
    }

    public string Name => Config.Name;
    public PoolConfig Config { get; }
    public BalancerServices Services { get; }
    public Backend[] Backends { get; }
    public Backend[] Primaries { get; }
    public Backend[] Backups { get; }
    /// <summary>The data plane computes <see cref="PickContext.Hash"/> only when this is true.</summary>
    public bool UsesHash { get; }
    /// <summary>Sticky sessions, consulted before <see cref="TryAcquire"/>; null when the pool has none.</summary>
    public PoolAffinity? Affinity { get; }

    /// <summary>Backups serve only when no primary is usable.</summary>
    public Backend? Pick(in PickContext context) => _primary.Pick(context) ?? _backup.Pick(context);

    public bool TryAcquire(in PickContext context, out Lease lease)
    {
        var backend = Pick(context);
        lease = backend is null ? default : backend.Acquire(Services.Time);
        return backend is not null;
    }

    public Backend? Find(string id)
    {
        foreach (var b in Backends)
        {
            if (b.Id == id) return b;
        }

        return null;
    }
}
