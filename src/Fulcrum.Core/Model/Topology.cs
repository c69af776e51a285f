using System.Collections.Frozen;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Model;

/// <summary>One immutable generation of config plus the pools built from it. Swapped atomically.</summary>
public sealed class Topology
{
    public Topology(FulcrumConfig config, IEnumerable<Pool> pools, long generation)
    {
        Config = config;
        Pools = pools.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);
        Generation = generation;
    }

    public FulcrumConfig Config { get; }
    public FrozenDictionary<string, Pool> Pools { get; }
    public long Generation { get; }
}
