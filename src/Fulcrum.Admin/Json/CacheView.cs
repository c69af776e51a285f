namespace Fulcrum.Admin.Json;

/// <summary>One route's cache, as `GET /api/cache` lists them: size, entries and what it did (docs/caching.md).</summary>
public sealed record CacheView(string Listener, string Route, long MaxBytes, long Bytes, int Entries,
    Dictionary<string, long> Requests, long Stored, long Evicted, long Purged);

/// <summary>What `POST /api/cache/purge` removed.</summary>
public sealed record CachePurgeView(int Purged);
