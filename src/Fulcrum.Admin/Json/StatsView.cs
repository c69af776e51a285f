namespace Fulcrum.Admin.Json;

/// <summary>
/// GET /api/stats: everything the dashboard and `fulcrum top` draw, in one read. Counters are cumulative; the
/// clients turn two samples into rates and latency quantiles (<c>LatencyBuckets</c> are per-bucket counts for
/// the upper bounds in <c>LatencyBoundsSeconds</c>, plus one last bucket above them).
/// </summary>
public sealed record StatsView(
    long Generation,
    double UptimeSeconds,
    IReadOnlyList<double> LatencyBoundsSeconds,
    IReadOnlyList<ListenerStatsView> Listeners,
    IReadOnlyList<PoolStatsView> Pools);

public sealed record ListenerStatsView(
    string Name,
    string Protocol,
    string Bind,
    IReadOnlyList<RouteStatsView> Routes,
    long ConnectionsActive,
    long Connections,
    long Requests,
    long BytesReceived,
    long BytesSent);

public sealed record RouteStatsView(string Name, string Target);

public sealed record PoolStatsView(
    string Name,
    string Algorithm,
    bool Panic,
    IReadOnlyList<BackendStatsView> Backends);

public sealed record BackendStatsView(
    string Id,
    string Address,
    string State,
    string Health,
    bool Backup,
    int Weight,
    int EffectiveWeight,
    long Active,
    long Total,
    long Failures,
    IReadOnlyList<long> Classes,
    IReadOnlyList<long> LatencyBuckets);
