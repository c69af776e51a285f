using System.Net;
using System.Text.Json;
using Fulcrum.Core.Configuration;
using Fulcrum.Observability.Tests.Support;

namespace Fulcrum.Observability.Tests;

/// <summary>What the WAF decided shows where every protection's decisions show: the metric, `GET /api/protection`, the access log.</summary>
public sealed class WafAccountingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fulcrum-waf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task WafDecisions_AreCountedByReason_ListedByTheApi_AndTheAccessLogCarriesTheRulesThatMatched()
    {
        var path = Path.Combine(_dir, "access.log");
        await using var lb = await ObservedBalancer.StartAsync(1, c => c with
        {
            // A sample that writes no ordinary request (one in a million): the lines a protection flagged are written whatever it says.
            AccessLog = new AccessLogConfig { Path = path, Sample = 0.000001 },
            Listeners = [c.Listeners[0] with
            {
                Routes =
                [
                    new RouteConfig { Name = "watched", Pool = "app", Match = new MatchConfig { PathPrefix = "/watched/" }, Waf = new WafConfig { Mode = WafMode.Detect } },
                    new RouteConfig { Name = "guarded", Pool = "app", Waf = new WafConfig { Mode = WafMode.Block } },
                ],
            }],
        });

        Assert.Equal(HttpStatusCode.OK, await lb.GetAsync("?page=2"));
        Assert.Equal(HttpStatusCode.Forbidden, await lb.GetAsync("?id=1'%20OR%20'1'='1"));
        Assert.Equal(HttpStatusCode.OK, await lb.GetAsync("watched/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E"));

        var metrics = await lb.MetricsAsync();
        const string series = "fulcrum_protection_decisions_total{listener=\"web\",route=\"{0}\",protection=\"waf\",decision=\"{1}\",reason=\"{2}\"}";
        Assert.Equal(1, PrometheusText.Value(metrics, series.Replace("{0}", "guarded").Replace("{1}", "allowed").Replace("{2}", "")));
        Assert.Equal(1, PrometheusText.Value(metrics, series.Replace("{0}", "guarded").Replace("{1}", "rejected").Replace("{2}", "sqli")));
        Assert.Equal(1, PrometheusText.Value(metrics, series.Replace("{0}", "watched").Replace("{1}", "detected").Replace("{2}", "xss")));

        using var api = JsonDocument.Parse(await lb.Client.GetStringAsync(new Uri(lb.Admin, "api/protection")));
        var rejected = api.RootElement.EnumerateArray().Single(e => e.GetProperty("protection").GetString() == "waf" && e.GetProperty("decision").GetString() == "rejected");
        Assert.Equal(("guarded", "sqli", 1L), (rejected.GetProperty("route").GetString(), rejected.GetProperty("reason").GetString(), rejected.GetProperty("count").GetInt64()));

        await Poll.UntilAsync(() => File.Exists(path) && File.ReadAllLines(path).Length >= 2, "the two flagged requests' access log lines");
        var lines = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal(("waf:sqli", 403), (lines[0].GetProperty("protection").GetString(), lines[0].GetProperty("status").GetInt32()));
        Assert.Contains("942100", lines[0].GetProperty("waf_rules").GetString()!.Split(' '));
        Assert.Contains("949110", lines[0].GetProperty("waf_rules").GetString()!.Split(' '));
        Assert.Equal(("waf:xss", 200), (lines[1].GetProperty("protection").GetString(), lines[1].GetProperty("status").GetInt32()));
        Assert.Contains("941100", lines[1].GetProperty("waf_rules").GetString()!.Split(' '));
    }
}
