using System.Text.Json;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Fulcrum.Cluster;

/// <summary>
/// Shares the operator's runtime changes (drain, maintenance, ready, weight, add, remove) through Redis. The cluster is
/// a second source of the same operations, not a parallel path: a change made here reaches <see cref="Changed"/> after
/// it took effect, is written to the runtime hash and announced on the changes channel; a change from elsewhere is run
/// through <see cref="BackendOperations.Apply"/>, exactly as the admin API runs it. Each field keeps its newest entry
/// (last writer wins), here and in Redis, so a restart replays the hash and ends where the others are; changes made
/// while Redis is away wait here and are written when it returns; a Redis that came back empty is written back.
/// </summary>
internal sealed class RuntimeStateSync(string origin, TimeProvider time, ILogger log) : IRuntimeChangeSink
{
    // Writes an entry unless the hash holds a newer one, bumps the version and announces what it wrote; returns the
    // entry the hash holds afterwards. ARGV[3] 'now' makes the write the newest (a change made while Redis answers is
    // the operator's latest word: it wins even over a clock a little ahead); 'newer' keeps the newer by time, then
    // origin (changes made during an outage, and the write-back of a Redis that lost its state).
    private const string WriteScript = """
        local cur = redis.call('HGET', KEYS[1], ARGV[1])
        local entry = cjson.decode(ARGV[2])
        if cur then
          local old = cjson.decode(cur)
          if ARGV[3] == 'now' then
            if tonumber(old.at) >= tonumber(entry.at) then entry.at = tonumber(old.at) + 1 end
          elseif tonumber(old.at) > tonumber(entry.at) or (tonumber(old.at) == tonumber(entry.at) and old.origin >= entry.origin) then
            return cur
          end
        end
        local text = cjson.encode(entry)
        redis.call('HSET', KEYS[1], ARGV[1], text)
        entry.v = redis.call('INCR', KEYS[2])
        redis.call('PUBLISH', ARGV[4], cjson.encode(entry))
        return text
        """;

    private readonly object _gate = new();
    private readonly Dictionary<string, RuntimeEntry> _known = new(StringComparer.Ordinal);
    private readonly Queue<(RuntimeEntry Entry, bool Now)> _pending = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private BackendOperations? _operations;
    private TopologyStore? _store;
    private long _version = -1;
    private long _lastAt;
    private string? _epoch;

    /// <summary>Called by the heartbeat when it wants the pending changes written (it also runs them after each change).</summary>
    public Func<Task>? Kick { get; set; }

    /// <summary>Called when an announcement shows that one before it was missed: the heartbeat should catch up now.</summary>
    public Action? Missed { get; set; }

    /// <summary>Runtime changes this instance knows (its own and the others').</summary>
    public int Known
    {
        get
        {
            lock (_gate) return _known.Count;
        }
    }

    public void Attach(TopologyStore store)
    {
        _store = store;
        _operations = new BackendOperations(store);
    }

    /// <summary>Always answers at once: the write happens off the admin request (<see cref="WritePendingAsync"/>).</summary>
    public void Changed(RuntimeChange change)
    {
        lock (_gate)
        {
            // Strictly later than this process's previous change, so two changes in one millisecond replay in the
            // order they were made (a drain of b2 before the ready of b1 would leave nothing to serve in between).
            var at = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), _lastAt + 1);
            _lastAt = at;
            var entry = RuntimeEntry.From(change, at, origin);
            _known[entry.Field] = entry;
            _pending.Enqueue((entry, Now: Reachable));
        }

        if (Kick is { } kick) _ = kick();
    }

    /// <summary>Set by the cluster: whether a change made now is made while Redis answers.</summary>
    public bool Reachable { get; set; }

    /// <summary>Writes the changes made here that Redis has not taken yet, oldest first; throws (and keeps them) when Redis fails.</summary>
    public async Task WritePendingAsync(IDatabase db)
    {
        await _writing.WaitAsync().ConfigureAwait(false);
        try
        {
            while (true)
            {
                (RuntimeEntry Entry, bool Now) next;
                lock (_gate)
                {
                    if (!_pending.TryPeek(out next)) return;
                }

                var stored = await WriteAsync(db, next.Entry, next.Now).ConfigureAwait(false);
                lock (_gate) _pending.Dequeue();
                if (stored is not null) Take(stored);
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>
    /// Catches up with Redis, given the version and epoch the heartbeat just read: when the epoch is new (Redis lost
    /// its state) writes back every change this instance knows, the newer winning; when the version moved (or after
    /// that), reads the whole hash and applies what is newer than what this instance knows, in the order it was made.
    /// </summary>
    public async Task CatchUpAsync(IDatabase db, long? version, string? epoch)
    {
        if (epoch is null)
        {
            // Empty Redis (or a first start): the first instance here names the new epoch; the others adopt it.
            await db.StringSetAsync(ClusterKeys.Epoch, Guid.NewGuid().ToString("N"), when: When.NotExists).ConfigureAwait(false);
            epoch = (string?)await db.StringGetAsync(ClusterKeys.Epoch).ConfigureAwait(false);
        }

        if (epoch != _epoch)
        {
            RuntimeEntry[] all;
            lock (_gate) all = [.. _known.Values];
            if (all.Length > 0)
            {
                await _writing.WaitAsync().ConfigureAwait(false);
                try
                {
                    foreach (var entry in all) await WriteAsync(db, entry, now: false).ConfigureAwait(false);
                }
                finally
                {
                    _writing.Release();
                }

                if (_epoch is not null) ClusterLog.Reseeded(log, all.Length);
            }

            _epoch = epoch;
            Interlocked.Exchange(ref _version, -1);
            version = (long?)await db.StringGetAsync(ClusterKeys.Version).ConfigureAwait(false);
        }

        version ??= 0;
        if (version == Interlocked.Read(ref _version)) return;
        var fields = await db.HashGetAllAsync(ClusterKeys.Runtime).ConfigureAwait(false);
        var entries = new List<RuntimeEntry>(fields.Length);
        foreach (var field in fields)
        {
            if (Read(field.Value) is { } entry) entries.Add(entry);
        }

        // In the order they were made, so an add comes before the drain of what it added.
        entries.Sort(static (a, b) => a.At != b.At ? a.At.CompareTo(b.At) : string.CompareOrdinal(a.Origin, b.Origin));
        foreach (var entry in entries) Take(entry);
        Interlocked.Exchange(ref _version, version.Value);
    }

    /// <summary>
    /// A change announced on the channel, with the version its write made. One that skips a version means an earlier
    /// announcement was missed (the subscription came back between two writes): it is not run out of order; the
    /// heartbeat is asked to catch up, which runs both in the order they were made.
    /// </summary>
    public void OnMessage(RedisValue message)
    {
        if (Read(message) is not { } announced) return;
        var entry = announced with { Version = null };
        lock (_gate)
        {
            var version = Interlocked.Read(ref _version);
            if (announced.Version is not { } v || v <= version + 1)
            {
                Take(entry);
                if (announced.Version == version + 1) Interlocked.Exchange(ref _version, version + 1);
                return;
            }
        }

        Missed?.Invoke();
    }

    // Keeps the entry when it is newer than what this instance knows of its field, and runs it unless it is this
    // process's own change (already in effect here: only its time may have moved).
    private void Take(RuntimeEntry entry)
    {
        lock (_gate)
        {
            if (_known.TryGetValue(entry.Field, out var known) && !entry.NewerThan(known)) return;
            _known[entry.Field] = entry;
            if (entry.Origin == origin) return;
            if (_operations is null || entry.ToChange() is not { } change) return;
            // Replaying an equal weight would rebuild the topology for nothing.
            if (change.Kind == RuntimeChangeKind.Weight && WeightIs(change)) return;
            var result = _operations.Apply(change);
            if (result.Ok) ClusterLog.Applied(log, entry.Kind, entry.Pool, entry.Id, entry.Origin);
            else ClusterLog.NotApplied(log, entry.Kind, entry.Pool, entry.Id, entry.Origin, result.Message ?? result.Error.ToString());
        }
    }

    private bool WeightIs(RuntimeChange change) =>
        _store is not null && _store.Current.Pools.TryGetValue(change.Pool, out var pool) && pool.Find(change.Id)?.Weight == change.Weight;

    private static async Task<RuntimeEntry?> WriteAsync(IDatabase db, RuntimeEntry entry, bool now)
    {
        var text = JsonSerializer.Serialize(entry, ClusterJsonContext.Default.RuntimeEntry);
        var result = await db.ScriptEvaluateAsync(WriteScript, [ClusterKeys.Runtime, ClusterKeys.Version],
            [entry.Field, text, now ? "now" : "newer", ClusterKeys.Changes.ToString()]).ConfigureAwait(false);
        return Read((RedisValue)result);
    }

    private static RuntimeEntry? Read(RedisValue value)
    {
        if (value.IsNullOrEmpty) return null;
        try
        {
            return JsonSerializer.Deserialize((string)value!, ClusterJsonContext.Default.RuntimeEntry);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
