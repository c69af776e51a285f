namespace Fulcrum.Core.Model;

/// <summary>
/// Told of every operator change a <see cref="BackendOperations"/> made, after it took effect here: the cluster
/// (Fulcrum.Cluster) records it in Redis and announces it, so other instances replay it. Called on the admin
/// request's thread: an implementation must not block.
/// </summary>
public interface IRuntimeChangeSink
{
    void Changed(RuntimeChange change);
}
