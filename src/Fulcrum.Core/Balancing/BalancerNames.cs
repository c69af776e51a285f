using System.Collections.Immutable;

namespace Fulcrum.Core.Balancing;

/// <summary>
/// The algorithm names a config may use (CONTRACT.md). Config validation checks `algorithm:` against this list,
/// so a file is judged the same whether or not every balancer class is built into this binary;
/// <see cref="BalancerRegistry"/> must offer a factory for each name.
/// </summary>
public static class BalancerNames
{
    public const string RoundRobin = "round-robin";
    public const string WeightedRoundRobin = "weighted-round-robin";
    public const string LeastConnections = "least-connections";
    public const string WeightedLeastConnections = "weighted-least-connections";
    public const string LeastResponseTime = "least-response-time";
    public const string PowerOfTwo = "power-of-two";
    public const string Random = "random";
    public const string IpHash = "ip-hash";
    public const string ConsistentHash = "consistent-hash";
    public const string Maglev = "maglev";
    public const string LeastBandwidth = "least-bandwidth";
    public const string PeakEwma = "peak-ewma";
    public const string WeightedByLoad = "weighted-by-load";

    public static readonly ImmutableArray<string> All =
    [
        RoundRobin,
        WeightedRoundRobin,
        LeastConnections,
        WeightedLeastConnections,
        LeastResponseTime,
        PowerOfTwo,
        Random,
        IpHash,
        ConsistentHash,
        Maglev,
        LeastBandwidth,
        PeakEwma,
        WeightedByLoad,
    ];

    public static bool IsKnown(string name) => All.Contains(name, StringComparer.Ordinal);
}
