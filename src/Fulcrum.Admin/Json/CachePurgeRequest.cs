namespace Fulcrum.Admin.Json;

/// <summary>
/// POST /api/cache/purge: <c>{"key": "http://example.test/a?x=1"}</c> or <c>{"prefix": "http://example.test/static/"}</c>,
/// optionally limited to one <c>listener</c> and <c>route</c> (docs/caching.md).
/// </summary>
public sealed record CachePurgeRequest(string? Key, string? Prefix, string? Listener, string? Route);
