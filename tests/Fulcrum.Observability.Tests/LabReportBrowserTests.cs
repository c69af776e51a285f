using Fulcrum.Commands;
using Fulcrum.Lab;
using Fulcrum.Observability.Tests.Support;

namespace Fulcrum.Observability.Tests;

/// <summary>
/// The lab's reports, and the simulator's scenario reports (`fulcrum simulate --scenario NAME --out DIR`), opened in a
/// real browser: they must show their charts with nothing fetched and no script error. With LAB_SCREENSHOT_DIR set the
/// test also writes the screenshots docs/lab.md shows.
/// </summary>
public sealed class LabReportBrowserTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fulcrum-lab-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Scenarios() => ["slow-server", "hashing", "overload", "weighted", "health", "drain", "sessions", "feedback", "challenge"];

    public static TheoryData<string> SimulatorScenarios() => ["herd", "retry-storm", "hedging", "subsetting", "balls-into-bins"];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task AReport_RendersEveryChart_FetchesNothing_AndRaisesNoError(string name)
    {
        var scenario = LabScenarios.Find(name)!;
        var index = await scenario.RunAsync(new LabSettings(Path.Combine(_dir, name), Short: true), CancellationToken.None);
        await OpenAndCheckAsync(index, "the claim", leastCharts: 2, $"lab-{name}.png");
    }

    [Theory]
    [MemberData(nameof(SimulatorScenarios))]
    public async Task ASimulatorScenarioReport_RendersEveryChart_FetchesNothing_AndRaisesNoError(string name)
    {
        var directory = Path.Combine(_dir, name);
        Assert.Equal(ExitCodes.Success, SimulateCommand.RunScenario(name, 1, directory, new StringWriter(), new StringWriter()));
        await OpenAndCheckAsync(Path.Combine(directory, "index.html"), "the expectation", leastCharts: 1, $"simulate-{name}.png");
    }

    private static async Task OpenAndCheckAsync(string index, string verdict, int leastCharts, string screenshot)
    {
        await using var browser = await Browser.StartAsync();
        var page = browser.Page;
        var fetched = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith("file:", StringComparison.Ordinal)) lock (fetched) fetched.Add(request.Url);
        };
        await page.GotoAsync(new Uri(index).AbsoluteUri);

        Assert.Contains(verdict, await page.Locator(".verdict").TextContentAsync(), StringComparison.Ordinal);
        var charts = page.Locator("svg");
        var count = await charts.CountAsync();
        Assert.True(count >= leastCharts, $"{count} charts");
        for (var i = 0; i < count; i++)
        {
            var box = await charts.Nth(i).BoundingBoxAsync();
            Assert.True(box is { Width: > 100, Height: > 100 }, $"chart {i} is not drawn: {box?.Width} x {box?.Height}");
            // Every chart draws something: bars or lines.
            Assert.True(await charts.Nth(i).Locator("rect, polyline").CountAsync() > 0, $"chart {i} is empty");
        }

        Assert.True(await page.Locator("table, pre").CountAsync() > 0, "the figures' table");
        if (Environment.GetEnvironmentVariable("LAB_SCREENSHOT_DIR") is { Length: > 0 } screenshots)
        {
            await page.ScreenshotAsync(new Microsoft.Playwright.PageScreenshotOptions { Path = Path.Combine(screenshots, screenshot), FullPage = true });
        }

        Assert.Empty(fetched);
        Assert.Empty(browser.Errors);
    }
}
