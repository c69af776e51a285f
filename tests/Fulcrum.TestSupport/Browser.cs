using Microsoft.Playwright;

namespace Fulcrum.TestSupport;

/// <summary>
/// Headless Debian chromium driven by Playwright (`playwright install` cannot download here, so the system
/// browser is used), collecting console errors and page errors for the tests to assert on.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string Chromium = "/usr/bin/chromium";
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private Browser(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error") lock (Errors) Errors.Add("console: " + message.Text);
        };
        page.PageError += (_, error) => { lock (Errors) Errors.Add("page: " + error); };
    }

    public IPage Page { get; }

    public List<string> Errors { get; } = [];

    public static async Task<Browser> StartAsync()
    {
        if (!File.Exists(Chromium)) throw new InvalidOperationException($"{Chromium} is missing: run scripts/install-deps.sh (Debian package chromium)");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            Timeout = 60_000,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
        page.SetDefaultTimeout(30_000);
        return new Browser(playwright, browser, page);
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
