using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Fulcrum.Core.Configuration;
using Fulcrum.Observability.Tests.Support;
using Fulcrum.TestSupport.Peers;

namespace Fulcrum.Observability.Tests;

public sealed class DashboardTests
{
    private static readonly TimeSpan HealthInterval = TimeSpan.FromSeconds(1);

    private static HealthConfig FastHealth => new()
    {
        Active = new ActiveHealthConfig { Path = "/health", Interval = HealthInterval, Timeout = TimeSpan.FromMilliseconds(500), Rise = 1, Fall = 1, Jitter = 0 },
    };

    [Fact]
    public async Task Dashboard_LoadsWithoutConsoleErrors_AndShowsEveryBackendWithItsNumbers()
    {
        await using var lb = await ObservedBalancer.StartAsync(3, health: FastHealth);
        await using var browser = await Browser.StartAsync();
        var page = browser.Page;

        await page.GotoAsync(lb.Admin.ToString());
        // Light traffic while the page samples, so rates and latencies have something to show.
        // DASHBOARD_SCREENSHOT_SECONDS lengthens it when taking the docs' screenshot, so the chart has a history.
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("DASHBOARD_SCREENSHOT_SECONDS"), out var s) ? Math.Clamp(s, 4, 120) : 4;
        var clock = Stopwatch.StartNew();
        var n = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            await lb.GetAsync(++n % 7 == 0 ? "?delay=3" : "");
        }

        foreach (var b in lb.Backends)
        {
            var row = page.Locator($"tr[data-backend=\"app/{b.Name}\"]");
            await row.WaitForAsync();
            Assert.Equal("up", await row.Locator("[data-field=state]").TextContentAsync());
            Assert.Equal(b.Address, await row.Locator("[data-field=address]").TextContentAsync());
        }

        await Poll.UntilAsync(async () => await page.Locator("tr[data-listener=\"web\"]").CountAsync() == 1, "the listener row");
        await Poll.UntilAsync(async () => (await page.Locator("tr[data-backend=\"app/b1\"] [data-field=p99]").TextContentAsync())!.EndsWith("ms", StringComparison.Ordinal),
            "a p99 latency for b1");
        if (Environment.GetEnvironmentVariable("DASHBOARD_SCREENSHOT") is { Length: > 0 } path)
        {
            await page.ScreenshotAsync(new Microsoft.Playwright.PageScreenshotOptions { Path = path, FullPage = true });
        }

        Assert.True(await page.Locator("#cluster").IsHiddenAsync(), "no cluster panel for an instance on its own");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Dashboard_ClusterPanel_ListsTheMembers_AndSaysSoWhileRedisIsAway()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var lb = await ObservedBalancer.StartAsync(1, c => c with
        {
            Cluster = new ClusterConfig { Redis = redis.Configuration, Instance = "lb-1", Heartbeat = TimeSpan.FromMilliseconds(200) },
        });
        await using var browser = await Browser.StartAsync();
        var page = browser.Page;
        await page.GotoAsync(lb.Admin.ToString());

        var member = page.Locator("tr[data-member=\"lb-1\"]");
        await member.WaitForAsync();
        Assert.Equal("alive", await member.Locator("[data-field=alive]").TextContentAsync());
        Assert.Contains("(this one)", await member.TextContentAsync(), StringComparison.Ordinal);
        var summary = page.Locator("#cluster-summary");
        await Poll.UntilAsync(async () => await summary.GetAttributeAsync("data-redis") == "reachable", "redis reachable on the page");

        await redis.KillAsync();
        await Poll.UntilAsync(async () => await summary.GetAttributeAsync("data-redis") == "unreachable", "redis unreachable on the page");
        Assert.Contains("serving on the last known state", await summary.TextContentAsync(), StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("DASHBOARD_CLUSTER_SCREENSHOT") is { Length: > 0 } path)
        {
            await page.ScreenshotAsync(new Microsoft.Playwright.PageScreenshotOptions { Path = path, FullPage = true });
        }

        await redis.RestartAsync();
        await Poll.UntilAsync(async () => await summary.GetAttributeAsync("data-redis") == "reachable", "redis reachable again on the page");
        Assert.Contains("1 outages", await summary.TextContentAsync(), StringComparison.Ordinal);
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Dashboard_ShowsAKilledBackendDown_WithinTheHealthIntervalPlusTwoSeconds()
    {
        await using var lb = await ObservedBalancer.StartAsync(2, health: FastHealth);
        await using var browser = await Browser.StartAsync();
        await browser.Page.GotoAsync(lb.Admin.ToString());
        var state = browser.Page.Locator("tr[data-backend=\"app/b2\"] [data-field=state]");
        await Poll.UntilAsync(async () => await state.CountAsync() == 1 && await state.TextContentAsync() == "up", "b2 shown up");

        await lb.Backends[1].DisposeAsync();
        var clock = Stopwatch.StartNew();
        await Poll.UntilAsync(async () => await state.TextContentAsync() == "down", "b2 shown down");

        Assert.True(clock.Elapsed <= HealthInterval + TimeSpan.FromSeconds(2), $"b2 showed down after {clock.Elapsed.TotalSeconds:F2} s");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Dashboard_DrainButton_DrainsTheBackendInTheApi()
    {
        await using var lb = await ObservedBalancer.StartAsync(2);
        await using var browser = await Browser.StartAsync();
        await browser.Page.GotoAsync(lb.Admin.ToString());

        await browser.Page.Locator("tr[data-backend=\"app/b1\"] button[data-action=drain]").ClickAsync();

        await Poll.UntilAsync(async () => await BackendStateAsync(lb, "b1") == "draining", "the API to show b1 draining");
        Assert.Equal("up", await BackendStateAsync(lb, "b2"));
        await Poll.UntilAsync(async () => await browser.Page.Locator("tr[data-backend=\"app/b1\"] [data-field=state]").TextContentAsync() == "draining",
            "the page to show b1 draining");
        Assert.Empty(browser.Errors);
    }

    [Fact]
    public async Task Dashboard_WithAToken_AsksForIt_ThenDrives()
    {
        await using var lb = await ObservedBalancer.StartAsync(1, c => c with { Admin = c.Admin! with { Token = "s3cret" } });
        await using var browser = await Browser.StartAsync();
        var page = browser.Page;
        await page.GotoAsync(lb.Admin.ToString());

        await page.Locator("#token-input").FillAsync("s3cret");
        await page.Locator("#token-save").ClickAsync();
        var state = page.Locator("tr[data-backend=\"app/b1\"] [data-field=state]");
        await state.WaitForAsync();
        await page.Locator("tr[data-backend=\"app/b1\"] button[data-action=maintenance]").ClickAsync();

        await Poll.UntilAsync(async () => await state.TextContentAsync() == "maintenance", "b1 in maintenance on the page");
        // The 401s before the token was given are the API's answers, which the browser reports; nothing else may fail.
        Assert.All(browser.Errors, e => Assert.Contains("401", e, StringComparison.Ordinal));
    }

    private static async Task<string?> BackendStateAsync(ObservedBalancer lb, string id)
    {
        using var doc = JsonDocument.Parse(await lb.Client.GetStringAsync(new Uri(lb.Admin, "api/pools/app")));
        foreach (var b in doc.RootElement.GetProperty("backends").EnumerateArray())
        {
            if (b.GetProperty("id").GetString() == id) return b.GetProperty("state").GetString();
        }

        return null;
    }
}
