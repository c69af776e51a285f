using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Headers;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Admin.Tests;

public sealed class SystemEndpointTests
{
    [Fact]
    public async Task Healthz_Answers200Ok_And503WhileTheProcessDrains()
    {
        await using var admin = await AdminTestServer.StartAsync();
        var (status, body) = await admin.SendAsync(HttpMethod.Get, "/healthz");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ok", body.GetProperty("status").GetString());

        admin.Draining = true;
        (status, body) = await admin.SendAsync(HttpMethod.Get, "/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("draining", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task HealthzRequiringBackends_Is503WhileAPoolHasNoBackendUp_AndPlainHealthzStays200()
    {
        await using var admin = await AdminTestServer.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(HttpMethod.Get, "/healthz?require=backends")).Status);

        // The one backend of pool api taken out by the operator: that pool cannot serve.
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(HttpMethod.Post, "/api/pools/api/backends/127.0.0.1:9100/maintenance")).Status);
        var (status, body) = await admin.SendAsync(HttpMethod.Get, "/healthz?require=backends");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("no backend up in pool 'api'", body.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(HttpMethod.Get, "/healthz")).Status);

        admin.Draining = true;
        Assert.Equal("draining", (await admin.SendAsync(HttpMethod.Get, "/healthz?require=backends")).Body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Reload_AppliesAGoodConfig()
    {
        await using var admin = await AdminTestServer.StartAsync();
        admin.NextReload = () => new ConfigLoadResult(AdminTestServer.Config(webBackends: 1), []);
        var (status, body) = await admin.SendAsync(HttpMethod.Post, "/api/reload");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("reloaded", body.GetProperty("status").GetString());
        Assert.Equal(2, body.GetProperty("generation").GetInt64());
        Assert.Single(admin.Store.Current.Pools["web"].Backends);
    }

    [Fact]
    public async Task Reload_OfABadConfig_Is400WithTheErrors_AndKeepsTheRunningConfig()
    {
        await using var admin = await AdminTestServer.StartAsync();
        admin.NextReload = () => new ConfigLoadResult(null,
            [new ConfigError(new SourceLocation("f.yaml", 3, 7), "unknown algorithm 'fastest'")]);
        var (status, body) = await admin.SendAsync(HttpMethod.Post, "/api/reload");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("f.yaml:3:7: unknown algorithm 'fastest'", body.GetProperty("details")[0].GetString());
        Assert.Equal(1, admin.Store.Current.Generation);
    }

    [Fact]
    public async Task Reload_WithoutAReloadCallback_Is501()
    {
        await using var admin = await AdminTestServer.StartAsync(withReload: false);
        var (status, _) = await admin.SendAsync(HttpMethod.Post, "/api/reload");
        Assert.Equal(HttpStatusCode.NotImplemented, status);
    }

    [Fact]
    public async Task Metrics_IsPrometheusText()
    {
        await using var admin = await AdminTestServer.StartAsync();
        using var response = await admin.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE fulcrum_backend_up gauge", text);
        Assert.Contains("fulcrum_backend_up{pool=\"web\",backend=\"web-1\"} 1", text);
        Assert.Contains("fulcrum_pool_panic{pool=\"api\"} 0", text);
    }

    [Fact]
    public async Task UnknownEndpoint_Is404WithAJsonError()
    {
        await using var admin = await AdminTestServer.StartAsync();
        var (status, body) = await admin.SendAsync(HttpMethod.Get, "/api/nothing");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("/api/nothing", body.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong")]
    [InlineData("s3cret-but-longer")]
    public async Task WithAToken_AWrongOrMissingToken_Is401WithAJsonError(string? given)
    {
        await using var admin = await AdminTestServer.StartAsync(token: "s3cret");
        admin.Client.DefaultRequestHeaders.Authorization = given is null ? null : new AuthenticationHeaderValue("Bearer", given);
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/api/pools"), (HttpMethod.Post, "/api/pools/web/backends/web-1/drain"), (HttpMethod.Post, "/api/reload") })
        {
            var (status, body) = await admin.SendAsync(method, path);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Contains("token", body.GetProperty("error").GetString());
        }

        Assert.True(admin.Store.Current.Pools["web"].Find("web-1")!.IsUsable);
    }

    [Fact]
    public async Task WithAToken_TheRightTokenPasses_AndHealthzAndMetricsStayOpen()
    {
        await using var admin = await AdminTestServer.StartAsync(token: "s3cret");
        var (status, _) = await admin.SendAsync(HttpMethod.Get, "/api/pools");
        Assert.Equal(HttpStatusCode.OK, status);

        admin.Client.DefaultRequestHeaders.Authorization = null;
        (status, _) = await admin.SendAsync(HttpMethod.Get, "/healthz");
        Assert.Equal(HttpStatusCode.OK, status);
        using var metrics = await admin.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
    }

    [Fact]
    public async Task Reload_CanChangeTheToken()
    {
        await using var admin = await AdminTestServer.StartAsync(token: "old");
        admin.NextReload = () => new ConfigLoadResult(AdminTestServer.Config(token: "new"), ImmutableArray<ConfigError>.Empty);
        var (status, _) = await admin.SendAsync(HttpMethod.Post, "/api/reload");
        Assert.Equal(HttpStatusCode.OK, status);
        (status, _) = await admin.SendAsync(HttpMethod.Get, "/api/pools");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        admin.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "new");
        (status, _) = await admin.SendAsync(HttpMethod.Get, "/api/pools");
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
