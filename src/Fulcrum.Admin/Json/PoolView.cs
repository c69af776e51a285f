namespace Fulcrum.Admin.Json;

/// <summary>A pool as the API shows it; the breaker, the adaptive limit and discovery are left out when the pool has none.</summary>
public sealed record PoolView(
    string Name,
    string Algorithm,
    bool Panic,
    double PanicThreshold,
    int Usable,
    int Total,
    IReadOnlyList<BackendView> Backends,
    CircuitBreakerView? CircuitBreaker = null,
    AdaptiveConcurrencyView? AdaptiveConcurrency = null,
    IReadOnlyList<DiscoveryView>? Discovery = null);
