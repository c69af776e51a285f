using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fulcrum.Tests.Infrastructure;
using Fulcrum.TestSupport.Http;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.Tests.Run;

/// <summary>A route's cache in the real `fulcrum` process: hits without the origin, the admin API's purge, the metrics and the access log.</summary>
public sealed class CacheProcessTests
{
    [Fact]
    public async Task Run_AnswersHitsWithoutTheOrigin_PurgeThroughTheAdminApiEmptiesIt_AndMetricsAndTheAccessLogSayWhatHappened()
    {
        var originRequests = 0;
        await using var origin = await HandlerBackend.StartAsync(context =>
        {
            Interlocked.Increment(ref originRequests);
            context.Response.Headers.CacheControl = "max-age=300";
            return context.Response.WriteAsync("cached body");
        });
        using var file = new ConfigFile($$"""
            admin:
              bind: 127.0.0.1:0
            access-log:
              path: access.log
              format: json
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                routes:
                  - name: site
                    pool: app
                    cache: { max-size: 1MiB }
            pools:
              - name: app
                backends: [ { address: {{origin.Address}} } ]
            """);
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var url = await fulcrum.WaitForListenerAsync();
        var adminPort = new Uri((await fulcrum.WaitForLineAsync(new Regex(@"admin API serving on (\S+)"))).Groups[1].Value).Port;
        using var client = TestHttp.CreateClient();
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}/"), Timeout = Poll.Deadline };

        async Task<string> CacheStatusAsync()
        {
            using var response = await client.GetAsync(new Uri(url, "page?a=1"));
            Assert.Equal("cached body", await response.Content.ReadAsStringAsync());
            return string.Join(", ", response.Headers.GetValues("Cache-Status"));
        }

        Assert.Equal("fulcrum; fwd=uri-miss; fwd-status=200; stored", await CacheStatusAsync());
        Assert.Equal("fulcrum; hit", await CacheStatusAsync());
        Assert.Equal(1, originRequests);

        var purge = new StringContent($$"""{"prefix": "http://127.0.0.1:{{url.Port}}/page"}""", Encoding.UTF8, "application/json");
        using (var purged = await admin.PostAsync("api/cache/purge", purge))
        {
            Assert.Equal(HttpStatusCode.OK, purged.StatusCode);
            Assert.Equal(1, JsonDocument.Parse(await purged.Content.ReadAsStringAsync()).RootElement.GetProperty("purged").GetInt32());
        }

        using (var both = await admin.PostAsync("api/cache/purge", new StringContent("""{"key": "a", "prefix": "b"}""", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);

        Assert.StartsWith("fulcrum; fwd=uri-miss", await CacheStatusAsync());
        Assert.Equal(2, originRequests);

        var metrics = await admin.GetStringAsync("metrics");
        Assert.Contains("fulcrum_cache_requests_total{listener=\"web\",route=\"site\",result=\"hit\"} 1", metrics);
        Assert.Contains("fulcrum_cache_requests_total{listener=\"web\",route=\"site\",result=\"miss\"} 2", metrics);
        Assert.Contains("fulcrum_cache_purged_total{listener=\"web\",route=\"site\"} 1", metrics);
        var caches = JsonDocument.Parse(await admin.GetStringAsync("api/cache")).RootElement;
        Assert.Equal(1, caches[0].GetProperty("entries").GetInt32());

        var log = Path.Combine(file.Directory, "access.log");
        await Poll.UntilAsync(() => File.Exists(log) && File.ReadAllLines(log).Length >= 3, "three access log lines");
        var results = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("cache").GetString() ?? "").ToArray();
        Assert.Equal(["miss", "hit", "miss"], results);
    }
}
