using Fulcrum.Core.Balancing;
using Fulcrum.Core.Model;

namespace Fulcrum.Core.Tests;

public sealed class WeightedByLoadTests
{
    private static (Backend[] Backends, IBalancer Balancer, ManualTimeProvider Time) Create(params int[] weights)
    {
        var time = new ManualTimeProvider();
        var backends = TestBackends.Weighted(weights);
        return (backends, TestBackends.Create("weighted-by-load", backends, new BalancerServices(time, new Random(1))), time);
    }

    [Fact]
    public void WithoutReports_ItIsWeightedRoundRobin()
    {
        var (_, balancer, _) = Create(3, 1);
        var counts = TestBackends.Count(balancer, 400);
        Assert.Equal(300, counts["a"]);
        Assert.Equal(100, counts["b"]);
    }

    [Fact]
    public void Reports_SetTheWeights_ByCapacity_RateOverUtilization_WhateverTheConfiguredWeights()
    {
        var (backends, balancer, time) = Create(1, 1);
        // Both serve 100 requests/s; a is at 80%, b at 20%: capacities 125 and 500, so b takes four times a's share.
        backends[0].Reports.ReportLoad(0.8, 100, time.GetTimestamp());
        backends[1].Reports.ReportLoad(0.2, 100, time.GetTimestamp());
        var counts = TestBackends.Count(balancer, 500);
        Assert.InRange(counts["a"], 95, 105);
        Assert.InRange(counts["b"], 395, 405);
    }

    [Fact]
    public void AStaleReport_IsLeftOut_AndABackendWithoutOne_GetsTheMeanCapacity()
    {
        var (backends, balancer, time) = Create(1, 1, 1);
        backends[0].Reports.ReportLoad(0.9, 90, time.GetTimestamp()); // capacity 100
        backends[1].Reports.ReportLoad(0.3, 90, time.GetTimestamp()); // capacity 300
        // c reported nothing: it gets the mean, 200. Shares 1 : 3 : 2.
        var counts = TestBackends.Count(balancer, 600);
        Assert.InRange(counts["a"], 95, 105);
        Assert.InRange(counts["b"], 295, 305);
        Assert.InRange(counts["c"], 195, 205);

        // Eleven seconds later nobody's report is fresh: equal shares again.
        time.Advance(TimeSpan.FromSeconds(11));
        counts = TestBackends.Count(balancer, 300);
        Assert.Equal([100, 100, 100], new[] { counts["a"], counts["b"], counts["c"] });
    }

    [Fact]
    public void TheAgentsShare_AndUnusableBackends_StillApply()
    {
        var (backends, balancer, time) = Create(10, 10);
        backends[0].Reports.ReportLoad(0.5, 100, time.GetTimestamp());
        backends[1].Reports.ReportLoad(0.5, 100, time.GetTimestamp());
        backends[0].Reports.SetWeightPercent(50);
        var counts = TestBackends.Count(balancer, 300);
        Assert.Equal(100, counts["a"]);
        Assert.Equal(200, counts["b"]);

        backends[1].Intent = OperatorIntent.Maintenance;
        Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal("a", balancer.Pick(PickContext.None)!.Id));
    }
}
