using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Handover;
using Fulcrum.Core.Health;
using Fulcrum.Core.Observability;

namespace Fulcrum.Core.Model;

/// <summary>Holds the current topology. Readers take <see cref="Current"/> once per request, lock-free.</summary>
public sealed class TopologyStore
{
    private readonly object _applyLock = new();
    private readonly List<(string Pool, Backend Backend)> _retiring = [];
    private volatile Topology _current;

    /// <param name="inherited">The state of the process this one took over from (docs/ha.md), restored into the first topology.</param>
    public TopologyStore(FulcrumConfig config, BalancerServices? services = null, RuntimeState? inherited = null)
    {
        Services = services ?? BalancerServices.Default;
        AccessLogs = new AccessLogRegistry(Services);
        if (inherited is not null) RuntimeStateTransfer.LoadOverlay(Overlay, inherited);
        _current = TopologyBuilder.Build(config, null, Services, Overlay, null);
        if (inherited is not null) RestoredBackends = RuntimeStateTransfer.RestoreBackends(_current, inherited, Services);
    }

    public BalancerServices Services { get; }

    /// <summary>Backends whose intent and health came from the process this one took over from (0 when none did).</summary>
    public int RestoredBackends { get; }

    public Topology Current => _current;

    /// <summary>Every listener's live counters by name, kept across reloads.</summary>
    public ListenerStatsTable Listeners { get; } = new();

    /// <summary>The access logs listeners write to; the host disposes them at exit.</summary>
    public AccessLogRegistry AccessLogs { get; }

    /// <summary>Every http route's live counters (requests by status class, latency), kept across reloads.</summary>
    public RouteStatsTable Routes { get; } = new();

    /// <summary>What the edge protections decided, by route (rate limits, auth, the WAF, breakers, shedding).</summary>
    public ProtectionStats Protection { get; } = new();

    /// <summary>Every route's HTTP cache, for the admin API and the metrics (docs/caching.md).</summary>
    public Caching.CacheRegistry Caches { get; } = new();

    /// <summary>How each pool's `dns:`, `srv:` and `file:` sources are doing (the discovery plane writes it).</summary>
    public Discovery.DiscoveryStatusTable Discovery { get; } = new();

    /// <summary>Runtime changes kept across reloads (see the rule there).</summary>
    public RuntimeOverlay Overlay { get; } = new();

    /// <summary>Raised after a new topology is in place, with (old, new).</summary>
    public event Action<Topology, Topology>? Applied;

    /// <summary>Swaps in a topology built from an already validated config (plus the runtime overlay).</summary>
    public Topology Apply(FulcrumConfig config)
    {
        Topology old, next;
        var departed = new List<(string Pool, Backend Backend)>();
        lock (_applyLock)
        {
            old = _current;
            next = TopologyBuilder.Build(config, old, Services, Overlay, departed);
            _current = next;
            foreach (var (pool, backend) in departed) Retire(old.Pools[pool], backend);
        }

        Applied?.Invoke(old, next);
        return next;
    }

    /// <summary>The overlay and every backend's intent and health, for a process that takes over from this one.</summary>
    public RuntimeState CaptureRuntimeState()
    {
        lock (_applyLock)
        {
            return RuntimeStateTransfer.Capture(_current, Overlay);
        }
    }

    /// <summary>
    /// Backends that left their pool (a reload dropped them or DELETE removed them) and still finish work.
    /// They take no new work and disappear once drained or after drain-timeout.
    /// </summary>
    public IReadOnlyList<Backend> Retiring(string pool)
    {
        lock (_applyLock)
        {
            List<Backend>? found = null;
            foreach (var (p, b) in _retiring)
            {
                if (p == pool) (found ??= []).Add(b);
            }

            return found is null ? [] : found;
        }
    }

    /// <summary>
    /// Runs <paramref name="change"/> on the overlay under the apply lock and, when it asks to, rebuilds the
    /// topology from the current config. Used by <see cref="BackendOperations"/>.
    /// </summary>
    internal OperationResult Change(Func<Topology, RuntimeOverlay, (OperationResult Result, bool Rebuild)> change)
    {
        OperationResult result;
        bool rebuild;
        lock (_applyLock)
        {
            (result, rebuild) = change(_current, Overlay);
        }

        if (result.Ok && rebuild) Apply(_current.Config);
        return result;
    }

    // A backend that left its pool drains instead of being cut: it finishes in-flight work, then goes.
    private void Retire(Pool pool, Backend backend)
    {
        // Even an idle one: requests that read the previous generation still see it in their pool.
        backend.Intent = OperatorIntent.Draining;
        if (backend.Stats.Active == 0)
        {
            backend.Drain = null;
            HealthLog.Removed(pool.Logger, backend.Id, pool.Name);
            return;
        }

        var drain = new DrainState(backend, pool.Name, pool.Config.DrainTimeout, removing: true, Services.Time, pool.Logger,
            b => OnRetired(pool, b));
        _retiring.Add((pool.Name, backend));
        backend.Drain = drain;
        drain.Start();
    }

    private void OnRetired(Pool pool, Backend backend)
    {
        lock (_applyLock)
        {
            _retiring.RemoveAll(r => ReferenceEquals(r.Backend, backend));
        }

        HealthLog.Removed(pool.Logger, backend.Id, pool.Name);
    }
}
