namespace Fulcrum.Core.Protection;

/// <summary>What a pool's <see cref="PoolAdmission"/> decided for one request or connection; every value but the first two is a refusal's reason.</summary>
public enum AdmissionDecision
{
    Admitted,
    /// <summary>The client went away while it waited; counted nowhere.</summary>
    Abandoned,
    /// <summary>circuit-breaker.max-connections: tcp connections at the limit.</summary>
    MaxConnections,
    /// <summary>circuit-breaker.max-pending: the queue was full.</summary>
    MaxPending,
    /// <summary>circuit-breaker.max-requests: requests at the limit.</summary>
    MaxRequests,
    /// <summary>circuit-breaker.max-retries: a failed attempt was not retried.</summary>
    MaxRetries,
    /// <summary>A pending request waited the pool's queue-timeout without getting a connection.</summary>
    PendingTimeout,
    /// <summary>adaptive-concurrency: the limit itself was reached.</summary>
    ConcurrencyLimit,
    /// <summary>adaptive-concurrency: what is left of the limit is kept for higher priorities.</summary>
    LowPriority,
}
