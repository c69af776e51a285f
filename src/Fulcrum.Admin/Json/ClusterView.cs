namespace Fulcrum.Admin.Json;

/// <summary>GET /api/cluster: this instance, the cluster's members with their last heartbeat, and whether Redis is reachable.</summary>
/// <param name="Enabled">False when the config has no `cluster:` section: this instance stands alone and the rest is absent.</param>
/// <param name="Instance">This instance's name.</param>
/// <param name="Redis">The Redis configuration string, without its password.</param>
/// <param name="RedisReachable">False while this instance serves on its last known cluster state.</param>
/// <param name="Since">When reachability last changed: the outage's start or the recovery's.</param>
/// <param name="LastSync">When this instance last caught up with Redis.</param>
/// <param name="Outages">Times Redis became unreachable since start.</param>
/// <param name="RateLimitFallbacks">`scope: cluster` rate-limit decisions made locally.</param>
/// <param name="Members">Every member seen in Redis (this one marked `self`).</param>
public sealed record ClusterView(
    bool Enabled,
    string Instance,
    string? Redis = null,
    bool? RedisReachable = null,
    DateTimeOffset? Since = null,
    DateTimeOffset? LastSync = null,
    long? Outages = null,
    long? RateLimitFallbacks = null,
    IReadOnlyList<ClusterMemberView>? Members = null);

/// <summary>One member: its name, last heartbeat, start, whether it is alive (heartbeat at most three heartbeats old) and whether it is this instance.</summary>
public sealed record ClusterMemberView(string Instance, DateTimeOffset LastHeartbeat, DateTimeOffset Started, bool Alive, bool Self);
