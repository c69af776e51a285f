using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Health;

/// <summary>The admin API and health logs of a real `fulcrum run` process.</summary>
public sealed class AdminProcessTests
{
    [Fact]
    public async Task FulcrumRun_ServesTheAdminApiWithItsToken_AndLogsWhenADrainedBackendIsEmpty()
    {
        await using var b1 = await HealthBackend.StartAsync("b1");
        await using var b2 = await HealthBackend.StartAsync("b2");
        var yaml = HealthHarness.Yaml("""
                algorithm: round-robin
                health:
                  active: { path: /health, interval: 200ms, timeout: 500ms, rise: 1, fall: 1 }
            """, b1, b2).Replace("  bind: 127.0.0.1:0\nlisteners", "  bind: 127.0.0.1:0\n  token: s3cret\nlisteners", StringComparison.Ordinal);
        using var file = new ConfigFile(yaml);
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var url = await fulcrum.WaitForListenerAsync();
        var adminUrl = (await fulcrum.WaitForLineAsync(new Regex(@"admin API serving on (\S+)"))).Groups[1].Value;
        using var admin = new HttpClient { BaseAddress = new Uri(adminUrl + "/"), Timeout = Poll.Deadline };
        using var client = new HttpClient { BaseAddress = url, Timeout = Poll.Deadline };

        using (var open = await admin.GetAsync("healthz")) Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        using (var denied = await admin.GetAsync("api/pools")) Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");

        // Two slow requests on b1 (b2 parked meanwhile), then drain b1 while they run.
        using (var r = await admin.PostAsync("api/pools/app/backends/b2/maintenance", null)) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var slow = Enumerable.Range(0, 2).Select(_ => client.GetAsync("?delay=1500")).ToArray();
        await Poll.UntilAsync(() => b1.Active == 2, "two slow requests on b1");
        using (var r = await admin.PostAsync("api/pools/app/backends/b2/ready", null)) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using (var r = await admin.PostAsync("api/pools/app/backends/b1/drain", null)) Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("b2", await client.GetStringAsync(""));

        foreach (var response in await Task.WhenAll(slow))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        await fulcrum.WaitForLineAsync(new Regex(@"backend b1 in pool app drained"));

        // Health events reach the log too.
        b2.HealthFails = true;
        await fulcrum.WaitForLineAsync(new Regex(@"backend b2 in pool app is down: active check failed"));
    }
}
