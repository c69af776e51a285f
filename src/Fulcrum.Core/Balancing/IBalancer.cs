using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// Picks one usable backend out of a fixed set (one pool's primaries or its backups).
/// A new instance is made whenever the set changes; health and weight changes are read live.
/// Implementations are thread-safe and allocate nothing per pick.
/// </summary>
public interface IBalancer
{
    /// <summary>A usable backend, or null when none in the set can take work.</summary>
    Backend? Pick(in PickContext context);
}
