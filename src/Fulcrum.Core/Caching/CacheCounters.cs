namespace Fulcrum.Core.Caching;

/// <summary>
/// One route cache's counters: requests by <see cref="CacheResult"/>, responses stored, entries evicted and purged.
/// Kept with the store, so they outlive reloads as the cached entries do; counting is one interlocked add.
/// </summary>
public sealed class CacheCounters
{
    private readonly long[] _results = new long[CacheResultNames.All.Length];
    private long _stored;
    private long _evicted;
    private long _purged;

    public void Count(CacheResult result) => Interlocked.Increment(ref _results[(int)result]);

    public long Requests(CacheResult result) => Interlocked.Read(ref _results[(int)result]);

    public void Stored() => Interlocked.Increment(ref _stored);

    public void Evicted() => Interlocked.Increment(ref _evicted);

    public void Purged(long count) => Interlocked.Add(ref _purged, count);

    /// <summary>Responses written into the store (new ones and those a 304 refreshed).</summary>
    public long StoredTotal => Interlocked.Read(ref _stored);

    /// <summary>Entries removed to make room (SIEVE).</summary>
    public long EvictedTotal => Interlocked.Read(ref _evicted);

    /// <summary>Entries removed by `POST /api/cache/purge` or invalidated by an unsafe request.</summary>
    public long PurgedTotal => Interlocked.Read(ref _purged);
}
