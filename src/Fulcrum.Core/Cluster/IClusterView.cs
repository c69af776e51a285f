namespace Fulcrum.Core.Cluster;

/// <summary>The cluster as this instance sees it, read without waiting on Redis (the admin API, the dashboard and the metrics ask).</summary>
public interface IClusterView
{
    ClusterStatus Status { get; }
}
