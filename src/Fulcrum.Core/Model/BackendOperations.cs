using Fulcrum.Core.Configuration;
using Fulcrum.Core.Health;

namespace Fulcrum.Core.Model;

/// <summary>
/// What an operator may change while traffic flows: add, remove (drain then remove), drain, maintenance,
/// ready and weight. Every change is recorded in the store's <see cref="RuntimeOverlay"/> or on the backend,
/// so it survives a reload of the file that does not touch the same backend. Each change that took effect is told to
/// the <see cref="IRuntimeChangeSink"/>, when there is one (the cluster shares it with the other instances, which
/// replay it through <see cref="Apply"/> on operations of their own, without a sink).
/// </summary>
public sealed class BackendOperations
{
    private readonly TopologyStore _store;
    private readonly IRuntimeChangeSink? _sink;

    public BackendOperations(TopologyStore store, IRuntimeChangeSink? sink = null)
    {
        _store = store;
        _sink = sink;
    }

    /// <summary>Runs a change another instance made (or this one, before a restart) exactly as the admin API runs it.</summary>
    public OperationResult Apply(RuntimeChange change) => change.Kind switch
    {
        RuntimeChangeKind.Add when change.Backend is { } backend => Add(change.Pool, backend),
        RuntimeChangeKind.Remove => Remove(change.Pool, change.Id),
        RuntimeChangeKind.Drain => Drain(change.Pool, change.Id),
        RuntimeChangeKind.Maintenance => Maintenance(change.Pool, change.Id),
        RuntimeChangeKind.Ready => Ready(change.Pool, change.Id),
        RuntimeChangeKind.Weight => SetWeight(change.Pool, change.Id, change.Weight),
        _ => OperationResult.Fail(OperationError.Invalid, $"a {change.Kind} change needs its backend"),
    };

    public OperationResult Add(string pool, BackendConfig backend)
    {
        var result = AddHere(pool, backend);
        return Told(result, new RuntimeChange(RuntimeChangeKind.Add, pool, result.Backend?.Id ?? backend.Id) { Backend = backend });
    }

    /// <summary>Takes the backend out of the pool now; it finishes in-flight work (up to drain-timeout), then goes.</summary>
    public OperationResult Remove(string pool, string id) => Told(RemoveHere(pool, id), new(RuntimeChangeKind.Remove, pool, id));

    /// <summary>No new work; in-flight work finishes; sticky clients may stay until drain-timeout; then parked.</summary>
    public OperationResult Drain(string pool, string id) => Told(DrainHere(pool, id), new(RuntimeChangeKind.Drain, pool, id));

    /// <summary>Takes the backend out at once (in-flight work still finishes; nothing waits for it).</summary>
    public OperationResult Maintenance(string pool, string id) => Told(MaintenanceHere(pool, id), new(RuntimeChangeKind.Maintenance, pool, id));

    /// <summary>Puts a drained or maintained backend back; it slow-starts when the pool has slow-start.</summary>
    public OperationResult Ready(string pool, string id) => Told(ReadyHere(pool, id), new(RuntimeChangeKind.Ready, pool, id));

    public OperationResult SetWeight(string pool, string id, int weight) =>
        Told(SetWeightHere(pool, id, weight), new RuntimeChange(RuntimeChangeKind.Weight, pool, id) { Weight = weight });

    /// <summary>
    /// Makes the pool's discovered backends exactly <paramref name="discovered"/>, in one new generation: entries found
    /// before and not now are removed (they drain), new ones are added (they slow-start), changed weights are set.
    /// Discovered backends live in the runtime overlay beside the API's additions, marked by
    /// <see cref="BackendConfig.DiscoveredBy"/>; a backend the file or an operator declares with the same id or address wins.
    /// Not told to the cluster: every instance runs its own discovery.
    /// </summary>
    public OperationResult ApplyDiscovered(string pool, IReadOnlyCollection<BackendConfig> discovered) => _store.Change((topology, overlay) =>
    {
        if (!topology.Pools.TryGetValue(pool, out var p)) return (NoPool(pool), false);
        var wanted = new Dictionary<string, BackendConfig>(StringComparer.Ordinal);
        foreach (var backend in discovered) wanted.TryAdd(backend.Id, backend);
        var runtime = overlay.For(pool);
        var changed = false;
        foreach (var (id, added) in runtime.Added.ToArray())
        {
            if (added.DiscoveredBy is null || wanted.ContainsKey(id)) continue;
            runtime.Added.Remove(id);
            changed = true;
        }

        foreach (var (id, backend) in wanted)
        {
            // The same server declared by the file (by id or address) or added by an operator is theirs, not found twice.
            if (p.Config.Backends.Any(b => b.Id == id || b.Address == backend.Address)) continue;
            if (runtime.Added.Values.Any(b => b.DiscoveredBy is null && b.Address == backend.Address)) continue;
            if (runtime.Added.TryGetValue(id, out var existing)
                && (existing.DiscoveredBy is null || (RuntimeOverlay.SameEntry(existing, backend) && existing.DiscoveredBy == backend.DiscoveredBy))) continue;
            runtime.Added[id] = backend;
            changed = true;
        }

        return (OperationResult.Success(), changed);
    });

    private OperationResult Told(OperationResult result, RuntimeChange change)
    {
        if (result.Ok) _sink?.Changed(change);
        return result;
    }

    private OperationResult AddHere(string pool, BackendConfig backend)
    {
        if (backend.Weight < 0) return OperationResult.Fail(OperationError.Invalid, "weight must be 0 or more");
        if (!AddressParser.TryParseBackendUrl(backend.Address, out var scheme, out var hostPort, out var invalid))
        {
            return OperationResult.Fail(OperationError.Invalid, invalid);
        }

        backend = backend with { Address = hostPort, Scheme = scheme };
        var result = _store.Change((topology, overlay) =>
        {
            if (!topology.Pools.TryGetValue(pool, out var p)) return (NoPool(pool), false);
            // The pool's one scheme (see BackendSchemes): an added backend may repeat it, never contradict it.
            var reencrypts = p.Config.Tls is not null;
            if ((scheme == BackendScheme.Https && !reencrypts) || (scheme == BackendScheme.Http && reencrypts))
            {
                var what = reencrypts ? "re-encrypts (https)" : "speaks plain http";
                return (OperationResult.Fail(OperationError.Invalid, $"pool '{pool}' {what} to all its backends; give the address without a scheme or with the pool's"), false);
            }

            if (p.Find(backend.Id) is not null)
            {
                return (OperationResult.Fail(OperationError.Conflict, $"pool '{pool}' already has backend '{backend.Id}'"), false);
            }

            var runtime = overlay.For(pool);
            runtime.Removed.Remove(backend.Id);
            runtime.Added[backend.Id] = backend;
            return (OperationResult.Success(), true);
        });
        return result.Ok ? OperationResult.Success(_store.Current.Pools[pool].Find(backend.Id)) : result;
    }

    private OperationResult RemoveHere(string pool, string id) => _store.Change((topology, overlay) =>
    {
        if (!Find(topology, pool, id, out var p, out var b, out var error)) return (error, false);
        var runtime = overlay.For(pool);
        if (!runtime.Added.Remove(id))
        {
            foreach (var bc in p.Config.Backends)
            {
                if (bc.Id == id) runtime.Removed[id] = bc;
            }
        }

        runtime.Weights.Remove(id);
        return (OperationResult.Success(b), true);
    });

    private OperationResult DrainHere(string pool, string id)
    {
        if (!Find(_store.Current, pool, id, out var p, out var b, out var error)) return error;
        if (b.Intent == OperatorIntent.Draining && b.Drain is not null) return OperationResult.Success(b);
        b.Intent = OperatorIntent.Draining;
        var drain = new DrainState(b, pool, p.Config.DrainTimeout, removing: false, _store.Services.Time, p.Logger, null);
        b.Drain = drain;
        drain.Start();
        return OperationResult.Success(b);
    }

    private OperationResult MaintenanceHere(string pool, string id)
    {
        if (!Find(_store.Current, pool, id, out _, out var b, out var error)) return error;
        b.Drain = null;
        b.Intent = OperatorIntent.Maintenance;
        return OperationResult.Success(b);
    }

    private OperationResult ReadyHere(string pool, string id)
    {
        if (!Find(_store.Current, pool, id, out _, out var b, out var error)) return error;
        b.Drain = null;
        b.Intent = OperatorIntent.Active;
        return OperationResult.Success(b);
    }

    private OperationResult SetWeightHere(string pool, string id, int weight)
    {
        if (weight < 0) return OperationResult.Fail(OperationError.Invalid, "weight must be 0 or more");
        return _store.Change((topology, overlay) =>
        {
            if (!Find(topology, pool, id, out var p, out var b, out var error)) return (error, false);
            var runtime = overlay.For(pool);
            if (runtime.Added.TryGetValue(id, out var added))
            {
                runtime.Added[id] = added with { Weight = weight };
            }
            else
            {
                foreach (var bc in p.Config.Backends)
                {
                    if (bc.Id == id) runtime.Weights[id] = (weight, bc);
                }
            }

            b.Weight = weight;
            // Balancers that build tables from weights (maglev, consistent hash) see the change on their own;
            // a rebuild makes every balancer see it at once.
            return (OperationResult.Success(b), true);
        });
    }

    private static bool Find(Topology topology, string pool, string id, out Pool p, out Backend b, out OperationResult error)
    {
        b = null!;
        if (!topology.Pools.TryGetValue(pool, out p!))
        {
            error = NoPool(pool);
            return false;
        }

        var found = p.Find(id);
        if (found is null)
        {
            error = OperationResult.Fail(OperationError.BackendNotFound, $"pool '{pool}' has no backend '{id}'");
            return false;
        }

        b = found;
        error = OperationResult.Success();
        return true;
    }

    private static OperationResult NoPool(string pool) => OperationResult.Fail(OperationError.PoolNotFound, $"no pool '{pool}'");
}
