namespace Fulcrum.Core.Cluster;

/// <summary>
/// Told of each passive-health ejection this instance makes, when `cluster.share-ejections` is on: the cluster
/// announces it and the other instances eject the same backend for the same time (<see cref="Health.BackendHealth.EjectShared"/>).
/// Called on the request path that saw the failure: an implementation must not block.
/// </summary>
public interface ISharedEjections
{
    void Ejected(string pool, string backend, TimeSpan duration, string reason);
}
