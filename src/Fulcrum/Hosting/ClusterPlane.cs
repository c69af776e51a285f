using Fulcrum.Cluster;

namespace Fulcrum.Hosting;

/// <summary>
/// The <see cref="RedisCluster"/> as one of the host's planes. It starts first, so a restarted instance has caught up
/// with the cluster's drains before its listeners take traffic, and stops last, leaving the members list on the way out.
/// </summary>
internal sealed class ClusterPlane(RedisCluster cluster) : IPlane
{
    public string Name => "cluster";

    public bool CarriesTraffic => false;

    public Task StartAsync(CancellationToken cancellationToken) => cluster.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken drainDeadline) => cluster.StopAsync();

    public ValueTask DisposeAsync() => cluster.DisposeAsync();
}
