using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Model;

/// <summary>Holds the current topology. Readers take <see cref="Current"/> once per request, lock-free.</summary>
public sealed class TopologyStore
{
    private readonly object _applyLock = new();
    private volatile Topology _current;

    public TopologyStore(FulcrumConfig config, BalancerServices? services = null)
    {
        Services = services ?? BalancerServices.Default;
        _current = TopologyBuilder.Build(config, null, Services);
    }

    public BalancerServices Services { get; }

    public Topology Current => _current;

    /// <summary>Raised after a new topology is in place, with (old, new).</summary>
    public event Action<Topology, Topology>? Applied;

    /// <summary>Swaps in a topology built from an already validated config.</summary>
    public Topology Apply(FulcrumConfig config)
    {
        Topology old, next;
        lock (_applyLock)
        {
            old = _current;
            next = TopologyBuilder.Build(config, old, Services);
            _current = next;
        }

        Applied?.Invoke(old, next);
        return next;
    }
}
