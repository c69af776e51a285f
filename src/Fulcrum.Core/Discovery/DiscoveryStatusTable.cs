using System.Collections.Concurrent;
using System.Collections.Immutable;

namespace Fulcrum.Core.Discovery;

/// <summary>
/// The discovery status of every pool that has sources, by pool name. The host's discovery plane writes it (lookups
/// are I/O, so they are not Core's); the admin API reads it, without either knowing the other.
/// </summary>
public sealed class DiscoveryStatusTable
{
    private readonly ConcurrentDictionary<string, ImmutableArray<DiscoveryStatus>> _pools = new(StringComparer.Ordinal);

    public void Set(string pool, ImmutableArray<DiscoveryStatus> sources) => _pools[pool] = sources;

    public void Remove(string pool) => _pools.TryRemove(pool, out _);

    /// <summary>The pool's sources, empty when it has none.</summary>
    public ImmutableArray<DiscoveryStatus> For(string pool) => _pools.TryGetValue(pool, out var sources) ? sources : [];
}
