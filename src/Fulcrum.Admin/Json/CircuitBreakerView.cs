namespace Fulcrum.Admin.Json;

/// <summary>
/// A pool's circuit breaker as the API shows it (docs/protection.md): its thresholds, what each counts now, which are
/// open (at their threshold, so new work of that kind is refused: Envoy's `*_open` gauges), <c>State</c> "open" when
/// any is, else "closed", and the refusals so far by reason.
/// </summary>
public sealed record CircuitBreakerView(
    string State,
    IReadOnlyList<string> Open,
    int MaxConnections,
    int MaxPending,
    int MaxRequests,
    int MaxRetries,
    int Connections,
    int Pending,
    int Requests,
    int Retries,
    IReadOnlyDictionary<string, long> Rejected);
