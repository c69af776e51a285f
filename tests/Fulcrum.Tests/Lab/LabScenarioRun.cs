using System.Text.RegularExpressions;
using Fulcrum.Lab;

namespace Fulcrum.Tests.Lab;

/// <summary>
/// Runs a lab scenario in the short mode into a temporary directory, checks the page is self-contained and renders in
/// the browser (<see cref="ReportPage"/>), and deletes it.
/// </summary>
internal sealed class LabScenarioRun : IDisposable
{
    private LabScenarioRun(string directory, string html)
    {
        Directory = directory;
        Html = html;
    }

    public string Directory { get; }

    public string Html { get; }

    public static async Task<LabScenarioRun> StartAsync(string name, int charts)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"fulcrum-lab-{name}-{Guid.NewGuid():N}");
        var index = await LabScenarios.Find(name)!.RunAsync(new LabSettings(directory, Short: true), CancellationToken.None);
        var html = await File.ReadAllTextAsync(index);
        Assert.True(Regex.Count(html, "<svg ") >= charts, html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=\"http", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("class=\"verdict\"", html, StringComparison.Ordinal);
        Assert.Empty(await ReportPage.ProblemsAsync(index, "the claim", charts, $"lab-{name}.png"));
        return new LabScenarioRun(directory, html);
    }

    public Task<LabSummary> SummaryAsync(string file = "summary.csv") => LabSummary.ReadAsync(Directory, file);

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }
}
