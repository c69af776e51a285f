using Fulcrum.Core.Model;

namespace Fulcrum.Core.Balancing;

/// <summary>Makes one kind of balancer; found by its config name, so adding an algorithm is adding a class.</summary>
public interface IBalancerFactory
{
    /// <summary>The name used in `algorithm:`, e.g. round-robin.</summary>
    string Name { get; }

    /// <summary>True when the balancer uses <see cref="PickContext.Hash"/> (the pool's hash-key).</summary>
    bool UsesHash { get; }

    IBalancer Create(Backend[] backends, BalancerServices services);
}
