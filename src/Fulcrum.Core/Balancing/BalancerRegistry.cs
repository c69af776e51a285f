using System.Collections.Frozen;

namespace Fulcrum.Core.Balancing;

/// <summary>Every algorithm Fulcrum knows, by config name.</summary>
public static class BalancerRegistry
{
    private static readonly IBalancerFactory[] Factories =
    [
        new RoundRobin.Factory(),
        new SmoothWeightedRoundRobin.Factory(),
        new LeastConnections.Factory(),
        new WeightedLeastConnections.Factory(),
        new LeastResponseTime.Factory(),
        new PowerOfTwoChoices.Factory(),
        new WeightedRandom.Factory(),
        new IpHash.Factory(),
        new ConsistentHash.Factory(),
        new Maglev.Factory(),
        new LeastBandwidth.Factory(),
        new PeakEwma.Factory(),
        new WeightedByLoad.Factory(),
    ];

    private static readonly FrozenDictionary<string, IBalancerFactory> ByName =
        Factories.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static bool TryGet(string name, out IBalancerFactory factory) => ByName.TryGetValue(name, out factory!);

    public static IBalancerFactory Get(string name) =>
        ByName.TryGetValue(name, out var f) ? f : throw new ArgumentException($"unknown algorithm '{name}'", nameof(name));
}
