using Fulcrum.Core.Balancing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests;

/// <summary>What every balancer promises, whatever its algorithm.</summary>
public sealed class AllBalancersTests
{
    public static TheoryData<string> Algorithms()
    {
        var data = new TheoryData<string>();
        foreach (var name in BalancerRegistry.Names.Order(StringComparer.Ordinal)) data.Add(name);
        return data;
    }

    private static readonly PickContext[] Contexts = [PickContext.None, new(12345UL)];

    [Fact]
    public void Registry_OffersEveryAlgorithmOfTheContract()
    {
        string[] contract =
        [
            "round-robin", "weighted-round-robin", "least-connections", "weighted-least-connections",
            "least-response-time", "power-of-two", "random", "ip-hash", "consistent-hash", "maglev", "least-bandwidth",
        ];
        Assert.Equal(contract.Order(StringComparer.Ordinal), BalancerRegistry.Names.Order(StringComparer.Ordinal));
        string[] hashing = ["consistent-hash", "ip-hash", "maglev"];
        Assert.Equal(hashing, BalancerRegistry.Names.Where(n => BalancerRegistry.Get(n).UsesHash).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Pick_ReturnsNull_WhenNothingIsUsable(string algorithm)
    {
        var backends = TestBackends.Equal(4);
        backends[0].Health = HealthStatus.Down;
        backends[1].Intent = OperatorIntent.Maintenance;
        backends[2].Intent = OperatorIntent.Draining;
        backends[3].Weight = 0;
        var balancer = TestBackends.Create(algorithm, backends);
        foreach (var context in Contexts) Assert.Null(balancer.Pick(context));

        var empty = TestBackends.Create(algorithm, []);
        foreach (var context in Contexts) Assert.Null(empty.Pick(context));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Pick_OnlyEverReturnsUsableBackends(string algorithm)
    {
        var backends = TestBackends.Equal(6);
        backends[1].Health = HealthStatus.Down;
        backends[4].Intent = OperatorIntent.Maintenance;
        var balancer = TestBackends.Create(algorithm, backends);
        for (var i = 0; i < 600; i++)
        {
            var picked = balancer.Pick(new PickContext((ulong)i * 0x9E3779B97F4A7C15UL))!;
            Assert.True(picked.IsUsable, $"{algorithm} picked {picked.Id}");
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Pick_AllocatesNothing(string algorithm)
    {
        var backends = TestBackends.Weighted(5, 3, 2, 1, 1, 1, 1, 1);
        backends[2].Health = HealthStatus.Down;
        var balancer = TestBackends.Create(algorithm, backends, new BalancerServices(TimeProvider.System, new Random(5)));
        for (var i = 0; i < 2000; i++) balancer.Pick(new PickContext((ulong)i * 31));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 2000; i++)
        {
            balancer.Pick(new PickContext((ulong)i * 31));
            balancer.Pick(PickContext.None);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
