using Fulcrum.Core.Affinity;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Health;
using Fulcrum.Core.Protection;
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
        : this(config, backends, services, BalancerRegistry.Get(config.Algorithm))
    {
    }

    /// <summary>With a given balancer factory (tests use a double to interleave a pick with a reload).</summary>
    internal Pool(PoolConfig config, Backend[] backends, BalancerServices services, IBalancerFactory factory)
    {
        Config = config;
        Services = services;
        Backends = backends;
        Primaries = Array.FindAll(backends, b => !b.IsBackup);
        Backups = Array.FindAll(backends, b => b.IsBackup);
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

    /// <summary>
    /// The circuit breaker and adaptive concurrency limit (docs/protection.md), the same object in every generation of
    /// the pool; null when the pool has neither.
    /// </summary>
    public PoolAdmission? Admission { get; init; }

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

    /// <summary>
    /// Picks a backend and takes a lease on it. A reload or an operator may retire the picked backend (mark it
    /// draining) after the pick but before the lease counts: the drain could then miss this work and a request
    /// would reach a backend that takes no new work. So once the lease counts, the backend must still be active;
    /// if not, the lease is given back unrecorded and the pool picks again, at most <see cref="MaxPicks"/> times.
    /// </summary>
    public bool TryAcquire(in PickContext context, out Lease lease)
    {
        for (var attempt = 0; attempt < MaxPicks; attempt++)
        {
            var backend = Pick(context);
            if (backend is null) break;
            lease = backend.Acquire(Services.Time);
            // Acquire's Interlocked increment orders this read after the count: a retire that read the count
            // before it set Draining is seen here, one that read it after waits for this lease's give-back.
            if (backend.Intent == OperatorIntent.Active) return true;
            lease.Abandon();
        }

        lease = default;
        return false;
    }

    /// <summary>
    /// Takes a lease on a retry's backend, <paramref name="picked"/> by <see cref="PickOther"/> a moment before. As in
    /// <see cref="TryAcquire"/>, a backend retired between that pick and this lease gives the lease back and another
    /// (not in <paramref name="tried"/>) is picked, at most <see cref="MaxPicks"/> times. When none is left the retired
    /// one keeps the request: the client's answer was already dropped for this retry, and a draining backend still
    /// finishes the work it has.
    /// </summary>
    public Lease AcquireRetry(Backend picked, in PickContext context, ReadOnlySpan<Backend> tried)
    {
        var backend = picked;
        for (var attempt = 1; ; attempt++)
        {
            var lease = backend.Acquire(Services.Time);
            if (backend.Intent == OperatorIntent.Active || attempt >= MaxPicks) return lease;
            // Rare (a retire landed in the window), so the one allocation here does not matter.
            var other = PickOther(context, [.. tried, backend]);
            if (other is null) return lease;
            lease.Abandon();
            backend = other;
        }
    }

    /// <summary>Picks per <see cref="TryAcquire"/>: a retired backend drops out of the next pick, so a second one nearly always suffices.</summary>
    internal const int MaxPicks = 4;

    public Backend? Find(string id)
    {
        foreach (var b in Backends)
        {
            if (b.Id == id) return b;
        }

        return null;
    }
}
