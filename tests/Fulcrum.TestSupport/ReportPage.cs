namespace Fulcrum.TestSupport;

/// <summary>
/// A lab or simulator report opened in the real browser, right after the run that wrote it (one run checks both the
/// claim and the page): it must show its verdict, draw every chart, show its table, fetch nothing and raise no script
/// error. With LAB_SCREENSHOT_DIR set it also writes the screenshot docs/lab.md shows.
/// </summary>
public static class ReportPage
{
    /// <summary>What is wrong with the page at <paramref name="index"/>; empty when nothing is.</summary>
    public static async Task<List<string>> ProblemsAsync(string index, string verdict, int leastCharts, string screenshot)
    {
        var problems = new List<string>();
        await using var browser = await Browser.StartAsync();
        var page = browser.Page;
        var fetched = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith("file:", StringComparison.Ordinal)) lock (fetched) fetched.Add(request.Url);
        };
        await page.GotoAsync(new Uri(index).AbsoluteUri);

        var shown = await page.Locator(".verdict").TextContentAsync() ?? "";
        if (!shown.Contains(verdict, StringComparison.Ordinal)) problems.Add($"the verdict does not name {verdict}: '{shown}'");
        var charts = page.Locator("svg");
        var count = await charts.CountAsync();
        if (count < leastCharts) problems.Add($"{count} charts, fewer than {leastCharts}");
        for (var i = 0; i < count; i++)
        {
            var box = await charts.Nth(i).BoundingBoxAsync();
            if (box is not { Width: > 100, Height: > 100 }) problems.Add($"chart {i} is not drawn: {box?.Width} x {box?.Height}");
            // Every chart draws something: bars or lines.
            if (await charts.Nth(i).Locator("rect, polyline").CountAsync() == 0) problems.Add($"chart {i} is empty");
        }

        if (await page.Locator("table, pre").CountAsync() == 0) problems.Add("no table of the figures");
        if (Environment.GetEnvironmentVariable("LAB_SCREENSHOT_DIR") is { Length: > 0 } screenshots)
        {
            await page.ScreenshotAsync(new Microsoft.Playwright.PageScreenshotOptions { Path = Path.Combine(screenshots, screenshot), FullPage = true });
        }

        lock (fetched) problems.AddRange(fetched.Select(url => "fetched " + url));
        lock (browser.Errors) problems.AddRange(browser.Errors);
        return problems;
    }
}
