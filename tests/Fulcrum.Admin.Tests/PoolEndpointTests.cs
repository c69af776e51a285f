using System.Net;
using System.Text.Json;
using Fulcrum.Core.Model;

namespace Fulcrum.Admin.Tests;

public sealed class PoolEndpointTests
{
    private static JsonElement Backend(JsonElement pool, string id) =>
        pool.GetProperty("backends").EnumerateArray().Single(b => b.GetProperty("id").GetString() == id);

    [Fact]
    public async Task ListPools_ShowsEveryPoolAndEachBackendsStateHealthWeightAndCounters()
    {
        await using var admin = await AdminTestServer.StartAsync();
        var lease = admin.Store.Current.Pools["web"].Find("web-2")!.Acquire(TimeProvider.System);
        var (status, body) = await admin.SendAsync(HttpMethod.Get, "/api/pools");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["api", "web"], body.EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        var web = body[1];
        Assert.False(web.GetProperty("panic").GetBoolean());
        Assert.Equal(3, web.GetProperty("usable").GetInt32());
        var b2 = Backend(web, "web-2");
        Assert.Equal("127.0.0.1:9002", b2.GetProperty("address").GetString());
        Assert.Equal("up", b2.GetProperty("state").GetString());
        Assert.Equal("up", b2.GetProperty("health").GetString());
        Assert.Equal(2, b2.GetProperty("weight").GetInt32());
        Assert.Equal(2, b2.GetProperty("effectiveWeight").GetInt32());
        Assert.Equal(1, b2.GetProperty("active").GetInt64());
        foreach (var key in new[] { "total", "failures", "latencyMs", "ejected", "ejectionLeftSeconds", "consecutiveFailures" })
        {
            Assert.True(b2.TryGetProperty(key, out _), key);
        }

        lease.Release(Outcome.Success);
    }

    [Fact]
    public async Task ABackendsOwnReports_ShowUnderReports_OnlyWhenItSaidSomething()
    {
        await using var admin = await AdminTestServer.StartAsync();
        var web1 = admin.Store.Current.Pools["web"].Find("web-1")!;
        web1.Reports.SetWeightPercent(50);
        web1.Reports.SetAdmin(AgentAdmin.Drain);
        web1.Reports.ReportLoad(0.75, 120, TimeProvider.System.GetTimestamp());
        var (_, web) = await admin.SendAsync(HttpMethod.Get, "/api/pools/web");

        var reports = Backend(web, "web-1").GetProperty("reports");
        Assert.Equal(50, reports.GetProperty("agentWeightPercent").GetInt32());
        Assert.Equal("drain", reports.GetProperty("agent").GetString());
        Assert.False(reports.GetProperty("agentDown").GetBoolean());
        Assert.Equal(0.75, reports.GetProperty("utilization").GetDouble());
        Assert.InRange(reports.GetProperty("reportAgeSeconds").GetDouble(), 0, 60);
        Assert.Equal("draining", Backend(web, "web-1").GetProperty("state").GetString());
        Assert.False(Backend(web, "web-2").TryGetProperty("reports", out _));
    }

    [Fact]
    public async Task GetPool_ShowsOnePool_And404sAnUnknownOne()
    {
        await using var admin = await AdminTestServer.StartAsync();
        var (status, body) = await admin.SendAsync(HttpMethod.Get, "/api/pools/api");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("127.0.0.1:9100", Backend(body, "127.0.0.1:9100").GetProperty("address").GetString());

        (status, body) = await admin.SendAsync(HttpMethod.Get, "/api/pools/nope");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("nope", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AddBackend_PutsItInThePool_AndItSurvivesAReload()
    {
        await using var admin = await AdminTestServer.StartAsync();
        var (status, body) = await admin.SendAsync(HttpMethod.Post, "/api/pools/web/backends", """{"address": "127.0.0.1:9004", "weight": 4}""");
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("127.0.0.1:9004", body.GetProperty("id").GetString());
        Assert.Equal(4, body.GetProperty("weight").GetInt32());
        Assert.NotNull(admin.Store.Current.Pools["web"].Find("127.0.0.1:9004"));

        (status, _) = await admin.SendAsync(HttpMethod.Post, "/api/reload");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(admin.Store.Current.Pools["web"].Find("127.0.0.1:9004"));
    }

    [Theory]
    [InlineData("not json", HttpStatusCode.BadRequest)]
    [InlineData("""{"weight": 1}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"address": "no-port"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"address": "127.0.0.1:70000"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"address": "127.0.0.1:9005", "weight": -1}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"address": "127.0.0.1:9005", "weight": "heavy"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"address": "127.0.0.1:9005", "name": "web-1"}""", HttpStatusCode.Conflict)]
    [InlineData("null", HttpStatusCode.BadRequest)]
    public async Task AddBackend_RejectsBadInput_WithAJsonError(string json, HttpStatusCode expected)
    {
        await using var admin = await AdminTestServer.StartAsync();
        var (status, body) = await admin.SendAsync(HttpMethod.Post, "/api/pools/web/backends", json);
        Assert.Equal(expected, status);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetString()));
        Assert.Equal(3, admin.Store.Current.Pools["web"].Backends.Length);
    }

    [Fact]
    public async Task AddBackend_ToAnUnknownPool_Is404()
    {
        await using var admin = await AdminTestServer.StartAsync();
        var (status, _) = await admin.SendAsync(HttpMethod.Post, "/api/pools/nope/backends", """{"address": "127.0.0.1:9004"}""");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task DeleteBackend_DrainsABusyOneThenRemovesIt()
    {
        await using var admin = await AdminTestServer.StartAsync();
        var b1 = admin.Store.Current.Pools["web"].Find("web-1")!;
        var lease = b1.Acquire(TimeProvider.System);
        var (status, body) = await admin.SendAsync(HttpMethod.Delete, "/api/pools/web/backends/web-1");
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Null(admin.Store.Current.Pools["web"].Find("web-1"));

        (_, body) = await admin.SendAsync(HttpMethod.Get, "/api/pools/web");
        var shown = Backend(body, "web-1");
        Assert.Equal("draining", shown.GetProperty("state").GetString());
        Assert.Equal(1, shown.GetProperty("drain").GetProperty("inFlight").GetInt64());
        Assert.True(shown.GetProperty("drain").GetProperty("removing").GetBoolean());

        lease.Release(Outcome.Success);
        (_, body) = await admin.SendAsync(HttpMethod.Get, "/api/pools/web");
        Assert.DoesNotContain(body.GetProperty("backends").EnumerateArray(), b => b.GetProperty("id").GetString() == "web-1");

        (status, _) = await admin.SendAsync(HttpMethod.Delete, "/api/pools/web/backends/web-1");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Drain_StopsNewWork_AndShowsInFlightAndTimeLeft()
    {
        await using var admin = await AdminTestServer.StartAsync();
        var b3 = admin.Store.Current.Pools["web"].Find("web-3")!;
        var lease = b3.Acquire(TimeProvider.System);
        var (status, body) = await admin.SendAsync(HttpMethod.Post, "/api/pools/web/backends/web-3/drain");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("draining", body.GetProperty("state").GetString());
        var drain = body.GetProperty("drain");
        Assert.Equal(1, drain.GetProperty("inFlight").GetInt64());
        Assert.InRange(drain.GetProperty("timeLeftSeconds").GetDouble(), 1, 30);
        Assert.False(drain.GetProperty("drained").GetBoolean());
        Assert.False(b3.IsUsable);

        lease.Release(Outcome.Success);
        (_, body) = await admin.SendAsync(HttpMethod.Get, "/api/pools/web");
        Assert.True(Backend(body, "web-3").GetProperty("drain").GetProperty("drained").GetBoolean());
        Assert.Equal(0, Backend(body, "web-3").GetProperty("active").GetInt64());
    }

    [Fact]
    public async Task Maintenance_TakesABackendOut_AndReadyPutsItBack()
    {
        await using var admin = await AdminTestServer.StartAsync();
        var (status, body) = await admin.SendAsync(HttpMethod.Post, "/api/pools/web/backends/web-1/maintenance");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("maintenance", body.GetProperty("state").GetString());
        Assert.False(admin.Store.Current.Pools["web"].Find("web-1")!.IsUsable);

        (status, body) = await admin.SendAsync(HttpMethod.Post, "/api/pools/web/backends/web-1/ready");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("up", body.GetProperty("state").GetString());
        Assert.True(admin.Store.Current.Pools["web"].Find("web-1")!.IsUsable);

        (status, _) = await admin.SendAsync(HttpMethod.Post, "/api/pools/web/backends/zz/maintenance");
        Assert.Equal(HttpStatusCode.NotFound, status);
        (status, _) = await admin.SendAsync(HttpMethod.Post, "/api/pools/nope/backends/web-1/ready");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task Weight_ChangesTheWeight_AndRejectsBadInput()
    {
        await using var admin = await AdminTestServer.StartAsync();
        var (status, body) = await admin.SendAsync(HttpMethod.Put, "/api/pools/web/backends/web-1/weight", """{"weight": 3}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, body.GetProperty("weight").GetInt32());
        Assert.Equal(3, admin.Store.Current.Pools["web"].Find("web-1")!.Weight);

        foreach (var bad in new[] { "{}", """{"weight": -2}""", """{"weight": "3"}""", """{"weight": 1.5}""", "[" })
        {
            (status, body) = await admin.SendAsync(HttpMethod.Put, "/api/pools/web/backends/web-1/weight", bad);
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.True(body.TryGetProperty("error", out _));
        }

        (status, _) = await admin.SendAsync(HttpMethod.Put, "/api/pools/web/backends/zz/weight", """{"weight": 3}""");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(3, admin.Store.Current.Pools["web"].Find("web-1")!.Weight);
    }
}
