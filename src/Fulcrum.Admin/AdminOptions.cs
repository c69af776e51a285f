using Fulcrum.Core.Cluster;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.Admin;

/// <summary>What the host plugs into the admin API.</summary>
public sealed class AdminOptions
{
    /// <summary>Reloads the config file: a valid result has been applied; an invalid one is answered 400 with its errors.</summary>
    public Func<CancellationToken, Task<ConfigLoadResult>>? Reload { get; init; }
    /// <summary>True once the process drains (SIGTERM): /healthz then answers 503 "draining".</summary>
    public Func<bool>? IsDraining { get; init; }
    /// <summary>What this node tells keepalived, for GET /api/vrrp; null (404) without a `vrrp:` section.</summary>
    public Func<Json.VrrpView?>? Vrrp { get; init; }
    /// <summary>Prometheus text for GET /metrics; a built-in minimal exposition when null.</summary>
    public Func<string>? Metrics { get; init; }
    /// <summary>Where each listener is bound (port 0 in the config becomes the real port), for /api/stats.</summary>
    public Func<IReadOnlyDictionary<string, System.Net.IPEndPoint>>? ListenerEndpoints { get; init; }
    /// <summary>The runtime operations the API runs; the host's tells the cluster of each change. Null: operations of the API's own.</summary>
    public BackendOperations? Operations { get; init; }
    /// <summary>The cluster as this instance sees it, for GET /api/cluster; null without a `cluster:` section.</summary>
    public IClusterView? Cluster { get; init; }
    /// <summary>
    /// The admin API's listening socket inherited from the process this one took over from (docs/ha.md, "Zero-downtime
    /// upgrade"), by the configured bind; null or a null answer: it binds its own.
    /// </summary>
    public Func<BindAddress, System.Net.Sockets.Socket?>? InheritSocket { get; init; }
    /// <summary>The admin server's Kestrel limits; tests shorten them.</summary>
    public AdminLimits Limits { get; init; } = AdminLimits.Default;
}
