using System.Diagnostics;
using Fulcrum.Observability.Tests.Support;

namespace Fulcrum.Observability.Tests;

public sealed class PrometheusScrapeTests
{
    /// <summary>
    /// 15 s of traffic rather than 30: fifteen scrapes at 1 s already prove counters are scraped, stored and
    /// queryable while they move, and the whole suite must stay under 10 minutes on a shared 2-core machine.
    /// </summary>
    private static readonly TimeSpan TrafficFor = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Prometheus_ScrapingDuringTraffic_ReturnsPerBackendRequestCounts_ThatMatchWhatWasSent()
    {
        var binary = Tools.Find("prometheus");
        if (binary is null) Assert.Fail("prometheus is not installed: run scripts/install-deps.sh (Debian package prometheus)");
        await using var lb = await ObservedBalancer.StartAsync(3);
        await using var prometheus = await PrometheusServer.StartAsync(binary, lb.Host.AdminEndpoint!.ToString());
        const string Query = "sum by (backend) (fulcrum_backend_requests_total{pool=\"app\"})";

        // Bounded in time and in count, paced at about 200 requests a second so the traffic spans every scrape.
        const double PerSecond = 200;
        var clock = Stopwatch.StartNew();
        var sent = 0;
        var midway = new Dictionary<string, double>();
        while (clock.Elapsed < TrafficFor && sent < 10_000)
        {
            if (sent > clock.Elapsed.TotalSeconds * PerSecond)
            {
                await Task.Delay(5); // pacing, not synchronisation
                continue;
            }

            await lb.GetAsync();
            sent++;
            if (midway.Count == 0 && clock.Elapsed > TrafficFor / 2) midway = await prometheus.QueryAsync(Query, "backend");
        }

        var perBackend = lb.Backends.ToDictionary(b => b.Name, b => (double)b.TotalRequests);
        Assert.Equal(sent, perBackend.Values.Sum());

        // Prometheus saw the counters move while traffic flowed...
        Assert.Equal(3, midway.Count);
        Assert.True(midway.Values.Sum() > 0 && midway.Values.Sum() < sent, $"midway sum {midway.Values.Sum()} of {sent}");

        // ...and, one scrape after the traffic stopped, has exactly what each backend served.
        Dictionary<string, double> last = [];
        await Poll.UntilAsync(async () =>
        {
            last = await prometheus.QueryAsync(Query, "backend");
            return last.Count == 3 && perBackend.All(kv => last.TryGetValue(kv.Key, out var v) && v == kv.Value);
        }, "prometheus to report per-backend counts matching the traffic", TimeSpan.FromSeconds(10));
    }
}
