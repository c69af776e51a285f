namespace Fulcrum.Admin.Json;

/// <summary>A pool as the API shows it.</summary>
public sealed record PoolView(
    string Name,
    string Algorithm,
    bool Panic,
    double PanicThreshold,
    int Usable,
    int Total,
    IReadOnlyList<BackendView> Backends);
