using Fulcrum.Core.Balancing;
using Fulcrum.Core.Hashing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests;

/// <summary>Backend sets and pick helpers shared by the balancer tests.</summary>
internal static class TestBackends
{
    /// <summary>Backends named a, b, c, ... (then b26, b27, ...) with the given weights.</summary>
    public static Backend[] Weighted(params int[] weights)
    {
        var backends = new Backend[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            backends[i] = new Backend(NameOf(i), $"127.0.0.1:{9000 + i}", weights[i]);
        }

        return backends;
    }

    public static Backend[] Equal(int count) => Weighted(Enumerable.Repeat(1, count).ToArray());

    public static string NameOf(int i) => i < 26 ? ((char)('a' + i)).ToString() : $"b{i}";

    public static IBalancer Create(string algorithm, Backend[] backends, BalancerServices? services = null) =>
        BalancerRegistry.Get(algorithm).Create(backends, services ?? new BalancerServices(new ManualTimeProvider(), new Random(42)));

    /// <summary>How many of <paramref name="picks"/> picks (without a hash) each backend got, by id.</summary>
    public static Dictionary<string, int> Count(IBalancer balancer, int picks)
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < picks; i++)
        {
            var id = balancer.Pick(PickContext.None)!.Id;
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }

        return counts;
    }

    /// <summary>The backend id each of <paramref name="keys"/> keys maps to.</summary>
    public static string[] Map(IBalancer balancer, int keys)
    {
        var map = new string[keys];
        for (var k = 0; k < keys; k++) map[k] = balancer.Pick(new PickContext(KeyHash.Of($"user-{k}")))!.Id;
        return map;
    }

    public static string Sequence(IBalancer balancer, int picks)
    {
        var chars = new char[picks];
        for (var i = 0; i < picks; i++) chars[i] = balancer.Pick(PickContext.None)!.Id[0];
        return new string(chars);
    }
}
