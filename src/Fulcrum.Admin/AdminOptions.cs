using Fulcrum.Core.Configuration;

namespace Fulcrum.Admin;

/// <summary>What the host plugs into the admin API.</summary>
public sealed class AdminOptions
{
    /// <summary>Reloads the config file: a valid result has been applied; an invalid one is answered 400 with its errors.</summary>
    public Func<CancellationToken, Task<ConfigLoadResult>>? Reload { get; init; }
    /// <summary>True once the process drains (SIGTERM): /healthz then answers 503 "draining".</summary>
    public Func<bool>? IsDraining { get; init; }
    /// <summary>Prometheus text for GET /metrics; a built-in minimal exposition when null.</summary>
    public Func<string>? Metrics { get; init; }
    /// <summary>Where each listener is bound (port 0 in the config becomes the real port), for /api/stats.</summary>
    public Func<IReadOnlyDictionary<string, System.Net.IPEndPoint>>? ListenerEndpoints { get; init; }
    /// <summary>The admin server's Kestrel limits; tests shorten them.</summary>
    public AdminLimits Limits { get; init; } = AdminLimits.Default;
}
