namespace Fulcrum.Core.Discovery;

/// <summary>
/// How one discovery source of a pool is doing, for the admin API: when it last answered, what it found, and the
/// last failure. A failed lookup keeps the backends of the last good one, so a pool whose DNS server is down keeps
/// serving what it knew; this is where the operator sees that it is serving a stale set.
/// </summary>
public sealed class DiscoveryStatus(string source)
{
    private readonly Lock _lock = new();
    private DateTimeOffset? _lastSuccess;
    private DateTimeOffset? _lastFailure;
    private string? _lastError;
    private int _backends;
    private DateTimeOffset? _nextLookup;

    /// <summary>The source as the file writes it: `dns:api.internal:8080`, `srv:_http._tcp.api.internal`, `file:backends.txt`.</summary>
    public string Source { get; } = source;

    /// <summary>One consistent reading of the status.</summary>
    public DiscoverySnapshot Read()
    {
        lock (_lock) return new DiscoverySnapshot(Source, _lastSuccess, _lastFailure, _lastError, _backends, _nextLookup);
    }

    public void Succeeded(DateTimeOffset at, int backends, DateTimeOffset next)
    {
        lock (_lock)
        {
            _lastSuccess = at;
            _backends = backends;
            _nextLookup = next;
        }
    }

    public void Failed(DateTimeOffset at, string error, DateTimeOffset next)
    {
        lock (_lock)
        {
            _lastFailure = at;
            _lastError = error;
            _nextLookup = next;
        }
    }
}
