using System.Collections.Immutable;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Tests.Balancing;

/// <summary>Backends that report their load in an ORCA header get traffic by capacity under `weighted-by-load`.</summary>
public sealed class LoadHeaderTests
{
    private static RequestDelegate Reporting(string name, Func<string> load) => async context =>
    {
        context.Response.Headers["endpoint-load-metrics"] = load();
        context.Response.Headers["X-Backend"] = name;
        await context.Response.WriteAsync(name);
    };

    [Fact]
    public async Task ABackendReportingHighLoad_GetsLessTraffic_WithinSeconds_AndTheHeaderNeverReachesTheClient()
    {
        var busy = "TEXT cpu_utilization=0.2";
        await using var a = await HandlerBackend.StartAsync(Reporting("a", () => busy));
        await using var b = await HandlerBackend.StartAsync(Reporting("b", () => "JSON {\"cpu_utilization\": 0.2, \"mem_utilization\": 0.5}"));
        var pool = new PoolConfig
        {
            Name = "app",
            Algorithm = BalancerNames.WeightedByLoad,
            LoadHeader = "endpoint-load-metrics",
            Backends = [new BackendConfig { Name = "a", Address = a.Address }, new BackendConfig { Name = "b", Address = b.Address }],
        };
        await using var proxy = await ProxyHarness.StartAsync(Configs.Of(Configs.Web(Configs.ToPool("app")), pool));

        async Task<double> ShareOfA(int requests)
        {
            var fromA = 0;
            for (var i = 0; i < requests; i++)
            {
                using var response = await proxy.Client.GetAsync("/");
                Assert.False(response.Headers.Contains("endpoint-load-metrics"), "the load report leaked to the client");
                if (response.Headers.GetValues("X-Backend").Single() == "a") fromA++;
            }

            return (double)fromA / requests;
        }

        // Equal reports: equal shares.
        await Poll.UntilAsync(async () => Math.Abs(await ShareOfA(40) - 0.5) <= 0.1, "about half the traffic to a");

        // a now says it is at 90% while b stays at 20%: a's capacity estimate falls and so does its share.
        busy = "TEXT cpu_utilization=0.9, rps_fractional=0";
        await Poll.UntilAsync(async () => await ShareOfA(40) <= 0.3, "a's share down to 30% or less", TimeSpan.FromSeconds(30));
        Assert.Equal(0.9, proxy.Pool("app").Find("a")!.Reports.Utilization, 3);
    }
}
