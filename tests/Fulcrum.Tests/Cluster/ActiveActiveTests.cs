using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using Fulcrum.TestSupport.Peers;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Cluster;

/// <summary>
/// Issue 14's active-active through Redis, with two real `fulcrum run` processes sharing a real redis-server:
/// a drain through one reaches the other within a second and survives a restart; Redis killed and brought back
/// (empty, as without persistence) costs no request, is reported, and both catch up.
/// </summary>
public sealed class ActiveActiveTests(ITestOutputHelper output)
{
    private static string BackendLines(Backends backends) =>
        string.Concat(backends.All.Select(b => $"          - {{ name: {b.Name}, address: {b.Address} }}\n"));

    [Fact]
    public async Task DrainThroughA_StopsNewWorkOnB_WithinASecond_AndARestartedBComesUpWithTheDrain()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var backends = await Backends.StartAsync(2);
        var lines = BackendLines(backends);
        await using var a = await ClusterInstance.StartAsync("lb-a", ClusterInstance.Yaml("lb-a", redis.Configuration, lines));
        var b = await ClusterInstance.StartAsync("lb-b", ClusterInstance.Yaml("lb-b", redis.Configuration, lines));
        try
        {
            await Poll.UntilAsync(async () => (await a.ClusterAsync()).GetProperty("members").GetArrayLength() == 2
                && (await b.ClusterAsync()).GetProperty("members").GetArrayLength() == 2, "both instances list both members");

            await a.PostAsync("api/pools/app/backends/b1/drain");
            var since = Stopwatch.StartNew();
            TimeSpan? seen = null;
            while (seen is null && since.Elapsed < Poll.Deadline)
            {
                // The time after the answer: an upper bound on when the drain took hold on B.
                if (await b.StateAsync("b1") == "draining") seen = since.Elapsed;
            }

            output.WriteLine($"B showed the drain {seen?.TotalMilliseconds:F1} ms after A answered");
            Assert.True(seen < TimeSpan.FromSeconds(1), $"B showed the drain {seen?.TotalMilliseconds} ms after A answered; the bound is 1 s");
            var before = backends[0].TotalRequests;
            for (var i = 0; i < 20; i++) Assert.Equal("b2", (await b.Client.GetStringAsync("")).Trim());
            Assert.Equal(before, backends[0].TotalRequests);

            // B restarts: the drain is read from Redis before its listener takes traffic.
            await b.DisposeAsync();
            b = await ClusterInstance.StartAsync("lb-b", ClusterInstance.Yaml("lb-b", redis.Configuration, lines));
            Assert.Equal("draining", await b.StateAsync("b1"));
            for (var i = 0; i < 10; i++) Assert.Equal("b2", (await b.Client.GetStringAsync("")).Trim());
            Assert.Equal(before, backends[0].TotalRequests);

            // Ready through the restarted B reaches A.
            await b.PostAsync("api/pools/app/backends/b1/ready");
            await Poll.UntilAsync(async () => await a.StateAsync("b1") == "up", "A sees b1 ready again", TimeSpan.FromSeconds(5));
        }
        finally
        {
            await b.DisposeAsync();
        }
    }

    [Fact]
    public async Task RedisKilledAndRestarted_BothKeepServing_ReportTheOutageAndTheRecovery_AndCatchUp()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var backends = await Backends.StartAsync(2);
        var lines = BackendLines(backends);
        await using var a = await ClusterInstance.StartAsync("lb-a", ClusterInstance.Yaml("lb-a", redis.Configuration, lines));
        await using var b = await ClusterInstance.StartAsync("lb-b", ClusterInstance.Yaml("lb-b", redis.Configuration, lines));
        await Poll.UntilAsync(async () => await a.RedisReachableAsync() && await b.RedisReachableAsync(), "both reach redis");
        await a.PostAsync("api/pools/app/backends/b1/maintenance");
        await Poll.UntilAsync(async () => await b.StateAsync("b1") == "maintenance", "B sees the maintenance");

        // Steady traffic through both for the whole outage: bounded in time and count.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var clock = Stopwatch.StartNew();
        var traffic = new[] { Traffic(a, clock, stop.Token), Traffic(b, clock, stop.Token) };

        output.WriteLine($"{clock.ElapsedMilliseconds} ms: redis killed");
        await redis.KillAsync();
        await Poll.UntilAsync(async () => !await a.RedisReachableAsync() && !await b.RedisReachableAsync(), "both report redis unreachable");
        Assert.Contains("fulcrum_cluster_redis_reachable 0", await a.MetricsAsync(), StringComparison.Ordinal);
        await a.Process.WaitForLineAsync(new Regex("cluster: redis unreachable .*serving on the last known state"));
        // The last known state holds on both.
        Assert.Equal("maintenance", await a.StateAsync("b1"));
        Assert.Equal("maintenance", await b.StateAsync("b1"));

        // A change during the outage takes hold where it was made, and reaches the other once Redis is back.
        output.WriteLine($"{clock.ElapsedMilliseconds} ms: b1 ready, b2 drain through A");
        await a.PostAsync("api/pools/app/backends/b1/ready");
        await a.PostAsync("api/pools/app/backends/b2/drain");
        Assert.Equal("maintenance", await b.StateAsync("b1"));

        output.WriteLine($"{clock.ElapsedMilliseconds} ms: redis restarted");
        await redis.RestartAsync();
        await Poll.UntilAsync(async () => await a.RedisReachableAsync() && await b.RedisReachableAsync(), "both reach redis again");
        await Poll.UntilAsync(async () => await b.StateAsync("b1") == "up" && await b.StateAsync("b2") == "draining", "B catches up with A's changes");
        foreach (var instance in new[] { a, b })
        {
            var cluster = await instance.ClusterAsync();
            Assert.Equal(1, cluster.GetProperty("outages").GetInt64());
            var metrics = await instance.MetricsAsync();
            Assert.Contains("fulcrum_cluster_redis_reachable 1", metrics, StringComparison.Ordinal);
            Assert.Contains("fulcrum_cluster_outages_total 1", metrics, StringComparison.Ordinal);
        }

        await stop.CancelAsync();
        foreach (var (served, failures) in await Task.WhenAll(traffic))
        {
            Assert.True(served > 0, "traffic was served");
            Assert.True(failures.Count == 0, "requests failed: " + string.Join("; ", failures));
        }
    }

    // Requests one after another until told to stop (at most 20000): how many were answered 200, and what the others got.
    private static async Task<(int Served, List<string> Failures)> Traffic(ClusterInstance instance, Stopwatch since, CancellationToken stop)
    {
        var served = 0;
        var failures = new List<string>();
        for (var i = 0; i < 20_000 && !stop.IsCancellationRequested; i++)
        {
            try
            {
                using var response = await instance.Client.GetAsync("", CancellationToken.None);
                if (response.StatusCode == HttpStatusCode.OK) served++;
                else failures.Add($"{instance.Name} {since.ElapsedMilliseconds} ms: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(CancellationToken.None)}");
            }
            catch (HttpRequestException e)
            {
                failures.Add($"{instance.Name} {since.ElapsedMilliseconds} ms: {e.Message}");
            }

            await Task.Delay(5, CancellationToken.None);
        }

        return (served, failures);
    }
}
