namespace Fulcrum.Core.Configuration;

/// <summary>
/// A pool's `circuit-breaker:` block, Envoy's cluster circuit-breaker thresholds (docs/protection.md). Past a threshold
/// the work is refused at once instead of piling up on a backend that cannot keep up. Without the block a pool has no
/// thresholds; with it, each key it leaves out takes Envoy's default.
/// </summary>
public sealed record CircuitBreakerConfig
{
    /// <summary>
    /// `max-connections:` connections to the pool's backends in use at once (default 1024). tcp: client connections
    /// relayed, more are closed at once. http: the backend leg carries one request per connection, so this bounds
    /// the requests on the wire; more wait as pending (idle keep-alive connections do not count).
    /// </summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary>
    /// `max-pending:` requests (http) or connections (tcp) waiting at once (default 1024); more are refused at once.
    /// http: waiting for a connection under max-connections; tcp: waiting in the over-limit queue.
    /// 0 turns waiting off.
    /// </summary>
    public int MaxPending { get; init; } = 1024;

    /// <summary>`max-requests:` http requests admitted to the pool at once, pending ones included (default 1024); more get 503 at once.</summary>
    public int MaxRequests { get; init; } = 1024;

    /// <summary>`max-retries:` http retries in flight at once (default 3); past it a failed attempt is not retried.</summary>
    public int MaxRetries { get; init; } = 3;

    public SourceLocation Location { get; init; } = SourceLocation.None;
}
