using System.Collections.Frozen;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Geo;

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
    /// <summary>Where client addresses are (the `geo:` section), for routes and dns answers alike; null without one.</summary>
    public IGeoLookup? Geo { get; init; }
}
