using System.Collections.Frozen;
using Fulcrum.Core.Model;

namespace Fulcrum.L7.Forwarding;

/// <summary>The forwarders of every pool of one topology generation; every listener's routes point into these.</summary>
internal sealed class GenerationPools(Topology topology, FrozenDictionary<string, PoolForwarder> forwarders)
{
    public Topology Topology => topology;
    public long Generation => topology.Generation;
    public FrozenDictionary<string, PoolForwarder> Forwarders => forwarders;
}
