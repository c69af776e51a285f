using Fulcrum.Core.Affinity;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Health;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Core.Model;

/// <summary>
/// Backends plus how to choose among them. Immutable for one topology generation: a change to the
/// set of backends makes a new Pool (and new balancers) around the same Backend objects.
/// </summary>
public sealed class Pool
{
    private readonly IBalancer _primary;
    private readonly IBalancer _backup;
    private readonly object _panicGate = new();
    private volatile bool _inPanic;
    private int _panicNext = -1;

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
        Logger = services.LoggerFactory.CreateLogger("Fulcrum.Health");
        Retries = new RetryBudget(this);
        foreach (var b in backends) b.Owner = this;
        RefreshHealth();
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

    /// <summary>The pool's retry budget (the L7 plane retries through it).</summary>
    public RetryBudget Retries { get; }

    /// <summary>Where this pool logs health, panic and drain events.</summary>
    public ILogger Logger { get; }

    /// <summary>
    /// True while fewer than `panic-threshold` of the primaries are up (and no backup is): the pool then spreads
    /// work over every primary the operator has not taken out, healthy or not, instead of crushing the last few
    /// (Envoy's panic mode, default threshold 50%).
    /// </summary>
    public bool InPanic => _inPanic;

    /// <summary>Backups serve only when no primary is usable; in panic, every active primary serves.</summary>
    public Backend? Pick(in PickContext context)
    {
        if (_inPanic) return PickInPanic();
        return _primary.Pick(context) ?? _backup.Pick(context);
    }

    /// <summary>
    /// A pick for a retry: a usable backend other than those in <paramref name="tried"/>, or null. Asks the balancer
    /// first (so weights and affinity of the algorithm hold), then falls back to the first other usable backend.
    /// </summary>
    public Backend? PickOther(in PickContext context, ReadOnlySpan<Backend> tried)
    {
        for (var i = 0; i < Backends.Length; i++)
        {
            var b = Pick(context);
            if (b is null) break;
            if (!Contains(tried, b)) return b;
        }

        foreach (var b in Primaries)
        {
            if (b.IsUsable && !Contains(tried, b)) return b;
        }

        foreach (var b in Backups)
        {
            if (b.IsUsable && !Contains(tried, b)) return b;
        }

        return null;

        static bool Contains(ReadOnlySpan<Backend> set, Backend b)
        {
            foreach (var t in set)
            {
                if (ReferenceEquals(t, b)) return true;
            }

            return false;
        }
    }

    // Round robin over the primaries the operator has not taken out, ignoring health.
    private Backend? PickInPanic()
    {
        var all = Primaries;
        var n = all.Length;
        for (var tries = 0; tries < n; tries++)
        {
            var b = all[(int)((uint)Interlocked.Increment(ref _panicNext) % (uint)n)];
            if (b.Intent == OperatorIntent.Active && b.HasCapacity && b.Weight > 0) return b;
        }

        return null;
    }

    /// <summary>Recounts usable backends after a health or intent change; enters or leaves panic mode.</summary>
    internal void RefreshHealth()
    {
        lock (_panicGate)
        {
            // Backends the operator took out (drain, maintenance) count in neither share.
            var up = 0;
            var active = 0;
            foreach (var b in Primaries)
            {
                if (b.Intent != OperatorIntent.Active) continue;
                active++;
                if (b.Health == HealthStatus.Up) up++;
            }

            var backupUp = false;
            foreach (var b in Backups)
            {
                if (b.Intent == OperatorIntent.Active && b.Health == HealthStatus.Up) backupUp = true;
            }

            var threshold = Config.Health.PanicThreshold;
            var panic = active > 0 && threshold > 0 && !backupUp && up < threshold * active;
            if (panic == _inPanic) return;
            _inPanic = panic;
            if (panic) HealthLog.PanicOn(Logger, Name, up, active, threshold);
            else HealthLog.PanicOff(Logger, Name, up, active);
        }
    }

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
