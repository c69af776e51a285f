using Fulcrum.Core.Cluster;
using Fulcrum.Core.Observability;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// What Core takes from the host: time and randomness for balancers, pools and access log sampling, injected
/// so tests are exact; where pools log; and who runs the access log writers (Core starts no threads).
/// </summary>
public sealed class BalancerServices
{
    public static readonly BalancerServices Default = new(TimeProvider.System, Random.Shared);

    public BalancerServices(TimeProvider time, Random random)
    {
        Time = time;
        Random = random;
    }

    public TimeProvider Time { get; }
    /// <summary>Must be thread-safe when the balancer is used from several threads (Random.Shared is).</summary>
    public Random Random { get; }
    /// <summary>Where pools log health, panic and drain events (default: nowhere).</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
    /// <summary>Gives each access log a writer off the request path (the host: a thread each); null leaves the writing to the caller (tests).</summary>
    public IAccessLogWriters? AccessLogWriters { get; init; }
    /// <summary>Counters shared with the cluster for `scope: cluster` rate limits; null without a `cluster:` section (such limits then count locally).</summary>
    public ISharedRateLimits? SharedRateLimits { get; init; }
    /// <summary>Where passive-health ejections are shared with the cluster (`cluster.share-ejections`); null keeps them to this instance.</summary>
    public ISharedEjections? SharedEjections { get; init; }
    /// <summary>Opens the `geo.database` file (the host's MaxMind DB reader); null: only `geo.networks` is used.</summary>
    public Geo.IGeoDatabases? GeoDatabases { get; init; }
}
