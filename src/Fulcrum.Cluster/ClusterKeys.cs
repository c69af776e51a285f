using StackExchange.Redis;

namespace Fulcrum.Cluster;

/// <summary>
/// Where the cluster keeps its state in Redis. One Redis database is one cluster: two clusters share a server
/// through `defaultDatabase=N` in the configuration string.
/// </summary>
internal static class ClusterKeys
{
    /// <summary>A hash of the operator's runtime changes, one field per backend and aspect (<see cref="RuntimeEntry.Field"/>).</summary>
    public static readonly RedisKey Runtime = "fulcrum:runtime";
    /// <summary>Counts writes to <see cref="Runtime"/>: an instance that sees it move reads the hash again.</summary>
    public static readonly RedisKey Version = "fulcrum:runtime:version";
    /// <summary>
    /// A random id the first instance to find it missing sets: an instance that sees it change knows Redis lost its
    /// state (a restart without persistence, a failover to an empty replica) and writes back what it knows.
    /// </summary>
    public static readonly RedisKey Epoch = "fulcrum:runtime:epoch";
    /// <summary>A hash of members: instance name to its heartbeat.</summary>
    public static readonly RedisKey Members = "fulcrum:members";
    /// <summary>Each runtime change as it is written.</summary>
    public static readonly RedisChannel Changes = RedisChannel.Literal("fulcrum:changes");
    /// <summary>Passive-health ejections, when `share-ejections` is on.</summary>
    public static readonly RedisChannel Ejections = RedisChannel.Literal("fulcrum:ejections");

    /// <summary>One rate-limit key's bucket: the limit's name and the key's hash, so its size is bounded whatever the client sent.</summary>
    public static RedisKey Bucket(string limit, ulong key) => $"fulcrum:rl:{limit}:{key:x16}";
}
