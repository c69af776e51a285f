using System.Net;
using System.Text.Json;
using Fulcrum.Core.Configuration;
using Fulcrum.Observability.Tests.Support;

namespace Fulcrum.Observability.Tests;

/// <summary>What a protection decided shows in three places: the metric, `GET /api/protection` and the access log.</summary>
public sealed class ProtectionAccountingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fulcrum-protection-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ARateLimitsDecisions_AreCountedInTheMetric_ListedByTheApi_AndNamedInTheAccessLog()
    {
        var path = Path.Combine(_dir, "access.log");
        // One request an hour and no burst: the first passes, every other is refused, whatever the machine's speed.
        var limit = new RateLimitConfig { Rate = 1.0 / 3600, Burst = 0, NoDelay = true };
        await using var lb = await ObservedBalancer.StartAsync(1, c => c with
        {
            AccessLog = new AccessLogConfig { Path = path },
            Listeners = [c.Listeners[0] with { Routes = [c.Listeners[0].Routes[0] with { RateLimits = [limit] }] }],
        });

        Assert.Equal(HttpStatusCode.OK, await lb.GetAsync());
        Assert.Equal(HttpStatusCode.TooManyRequests, await lb.GetAsync());
        Assert.Equal(HttpStatusCode.TooManyRequests, await lb.GetAsync());

        var metrics = await lb.MetricsAsync();
        const string series = "fulcrum_protection_decisions_total{listener=\"web\",route=\"all\",protection=\"rate-limit\",decision=\"{0}\",reason=\"\"}";
        Assert.Equal(1, PrometheusText.Value(metrics, series.Replace("{0}", "allowed", StringComparison.Ordinal)));
        Assert.Equal(2, PrometheusText.Value(metrics, series.Replace("{0}", "limited", StringComparison.Ordinal)));

        using var api = JsonDocument.Parse(await lb.Client.GetStringAsync(new Uri(lb.Admin, "api/protection")));
        var limited = api.RootElement.EnumerateArray().Single(e => e.GetProperty("decision").GetString() == "limited");
        Assert.Equal("rate-limit", limited.GetProperty("protection").GetString());
        Assert.Equal("all", limited.GetProperty("route").GetString());
        Assert.Equal(2, limited.GetProperty("count").GetInt64());

        await Poll.UntilAsync(() => File.Exists(path) && File.ReadAllLines(path).Length == 3, "three access log lines");
        var lines = File.ReadAllLines(path);
        var fields = lines.Select(l => JsonDocument.Parse(l).RootElement).Select(e => e.TryGetProperty("protection", out var p) ? p.GetString() : null).ToList();
        Assert.Equal([null, "rate-limit:limited", "rate-limit:limited"], fields);
    }
}
