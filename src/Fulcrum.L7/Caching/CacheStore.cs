using System.Collections.Concurrent;
using Fulcrum.Core.Caching;
using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Caching;

/// <summary>
/// One route's stored responses, bounded in bytes, evicting with SIEVE (Zhang, Yang, Yue, Vigfusson, Rashmi: "SIEVE
/// is Simpler than LRU", NSDI 2024): entries sit in one FIFO queue with a visited bit; a hit only sets the bit, no
/// lock and no relinking (LRU moves the entry to the head under a lock on every hit); to make room a hand walks from
/// the oldest entry, clearing bits, and evicts the first unvisited one. On web cache traces it misses as little as
/// LRU or less, and one-hit wonders leave first. Reads are lock-free (a concurrent dictionary of copy-on-write
/// variant arrays); stores, evictions and purges take one lock.
/// </summary>
internal sealed class CacheStore : IRouteCache
{
    private readonly object _lock = new();
    private readonly ConcurrentDictionary<string, CachedResponse[]> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CacheFill> _fills = new(StringComparer.Ordinal);
    private CachedResponse? _newest;
    private CachedResponse? _oldest;
    private CachedResponse? _hand;
    private long _bytes;
    private int _count;
    private volatile CacheConfig _config;

    public CacheStore(string listener, string route, CacheConfig config)
    {
        Listener = listener;
        Route = route;
        _config = config;
    }

    public string Listener { get; }
    public string Route { get; }
    public CacheConfig Config => _config;
    public long MaxBytes => _config.MaxSize;
    public long Bytes => Interlocked.Read(ref _bytes);
    public int Entries => Volatile.Read(ref _count);
    public CacheCounters Counters { get; } = new();

    /// <summary>A reload's config for the same route: a smaller `max-size` evicts at once.</summary>
    public void Reconfigure(CacheConfig config)
    {
        _config = config;
        lock (_lock) EvictToFit(0);
    }

    /// <summary>The stored variants of <paramref name="key"/>, or null.</summary>
    public CachedResponse[]? Variants(string key) => _entries.TryGetValue(key, out var variants) ? variants : null;

    /// <summary>Stores <paramref name="response"/>, replacing the variant it refreshes or supersedes; evicts to fit.</summary>
    public void Store(CachedResponse response)
    {
        if (response.Size > _config.MaxSize) return;
        lock (_lock)
        {
            if (_entries.TryGetValue(response.Key, out var variants))
            {
                foreach (var old in variants)
                {
                    // The same variant, or one stored under a Vary the backend no longer sends.
                    if (SameVary(old, response) || !SameNames(old.VaryNames, response.VaryNames)) RemoveLocked(old);
                }
            }

            EvictToFit(response.Size);
            Link(response);
            _entries[response.Key] = _entries.TryGetValue(response.Key, out var left) ? [.. left, response] : [response];
            _bytes += response.Size;
            _count++;
        }

        Counters.Stored();
    }

    /// <summary>Removes one stored response (it was found unusable for good).</summary>
    public void Remove(CachedResponse response)
    {
        lock (_lock) RemoveLocked(response);
    }

    public int Purge(string? key, string? prefix)
    {
        var removed = 0;
        lock (_lock)
        {
            foreach (var (k, variants) in _entries)
            {
                var match = key is not null ? k == key : prefix is null || k.StartsWith(prefix, StringComparison.Ordinal);
                if (!match) continue;
                foreach (var v in variants)
                {
                    RemoveLocked(v);
                    removed++;
                }
            }
        }

        Counters.Purged(removed);
        return removed;
    }

    /// <summary>
    /// Joins the fetch of <paramref name="key"/> under way, or starts one: true when this request leads (it must call
    /// <see cref="EndFill"/>), false with the fill to wait for.
    /// </summary>
    public bool TryLead(string key, out CacheFill fill)
    {
        var mine = new CacheFill();
        fill = _fills.GetOrAdd(key, mine);
        return ReferenceEquals(fill, mine);
    }

    public void EndFill(string key, CacheFill fill)
    {
        _fills.TryRemove(new KeyValuePair<string, CacheFill>(key, fill));
        fill.End();
    }

    private void EvictToFit(long incoming)
    {
        var max = _config.MaxSize;
        while (_bytes + incoming > max && _oldest is not null)
        {
            var hand = _hand ?? _oldest;
            while (hand.Visited)
            {
                hand.Visited = false;
                hand = hand.Newer ?? _oldest!;
            }

            _hand = hand.Newer;
            RemoveLocked(hand);
            Counters.Evicted();
        }
    }

    private void Link(CachedResponse response)
    {
        response.Older = _newest;
        response.Newer = null;
        if (_newest is not null) _newest.Newer = response;
        _newest = response;
        _oldest ??= response;
        response.Linked = true;
    }

    private void RemoveLocked(CachedResponse response)
    {
        if (!response.Linked) return;
        response.Linked = false;
        if (_hand == response) _hand = response.Newer;
        if (response.Older is { } older) older.Newer = response.Newer;
        else _oldest = response.Newer;
        if (response.Newer is { } newer) newer.Older = response.Older;
        else _newest = response.Older;
        response.Older = response.Newer = null;
        _bytes -= response.Size;
        _count--;
        if (!_entries.TryGetValue(response.Key, out var variants)) return;
        var left = Array.FindAll(variants, v => !ReferenceEquals(v, response));
        if (left.Length == 0) _entries.TryRemove(response.Key, out _);
        else _entries[response.Key] = left;
    }

    private static bool SameVary(CachedResponse a, CachedResponse b)
    {
        if (!SameNames(a.VaryNames, b.VaryNames)) return false;
        if (a.VaryValues is null) return true;
        for (var i = 0; i < a.VaryValues.Length; i++)
        {
            if (!string.Equals(a.VaryValues[i], b.VaryValues![i], StringComparison.Ordinal)) return false;
        }

        return true;
    }

    private static bool SameNames(string[]? a, string[]? b) =>
        a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);
}
