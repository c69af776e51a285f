using System.Globalization;
using System.Text.RegularExpressions;
using Fulcrum.Lab;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Lab;

public sealed class LabCommandTests
{
    [Fact]
    public async Task LabList_NamesEachScenario_FirstOnItsLine()
    {
        var (code, process) = await FulcrumProcess.RunToEndAsync("lab", "--list");

        Assert.True(code == 0, process.Output);
        var names = process.StdoutLines.Where(l => l.Length > 0).Select(l => l.Split(' ')[0]).ToList();
        Assert.Equal(LabScenarios.All.Select(s => s.Name), names);
        Assert.Contains("slow-server", names);
    }

    [Fact]
    public async Task Lab_UnknownScenario_IsBadUsage()
    {
        var (code, process) = await FulcrumProcess.RunToEndAsync("lab", "no-such-scenario");

        Assert.True(code == 2, process.Output);
        Assert.Contains(process.StderrLines, l => l.Contains("no-such-scenario", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LabSlowServer_Short_WritesASelfContainedReport_AndEveryAlgorithmServedWithoutErrors()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"fulcrum-lab-{Guid.NewGuid():N}");
        try
        {
            await using var lab = FulcrumProcess.Start("lab", "slow-server", "--short", "--out", directory);
            var code = await lab.WaitForExitAsync(TimeSpan.FromSeconds(60));

            Assert.True(code == 0, lab.Output);
            Assert.Contains(lab.StdoutLines, l => l.Contains("report: ", StringComparison.Ordinal));
            var html = await File.ReadAllTextAsync(Path.Combine(directory, "index.html"));
            // p99 per algorithm, requests/s per algorithm, in flight for round-robin and for least-connections.
            Assert.True(Regex.Count(html, "<svg ") >= 4, html);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("src=\"http", html, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(SlowServerReport.SeedFile, html, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(directory, "requests.csv")));
            Assert.True(File.Exists(Path.Combine(directory, "inflight.csv")));
            Assert.Empty(await ReportPage.ProblemsAsync(Path.Combine(directory, "index.html"), "the claim", 4, "lab-slow-server.png"));

            var summary = await File.ReadAllLinesAsync(Path.Combine(directory, "summary.csv"));
            var header = summary[0].Split(',');
            var rows = summary.Skip(1).Select(l => l.Split(',')).ToDictionary(r => r[0]);
            Assert.Equal(SlowServerScenario.Algorithms, rows.Keys);
            foreach (var (algorithm, row) in rows)
            {
                Assert.True(long.Parse(row[Array.IndexOf(header, "requests")], CultureInfo.InvariantCulture) > 0, algorithm);
                Assert.True(row[Array.IndexOf(header, "errors")] == "0", $"{algorithm}: {summary[0]}\n{string.Join(',', row)}");
            }
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task LabHashing_Short_ShowsTheRingAndMaglevMovingAboutAFifth_AndModuloMovingMost()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"fulcrum-lab-{Guid.NewGuid():N}");
        try
        {
            await using var lab = FulcrumProcess.Start("lab", "hashing", "--short", "--out", directory);
            var code = await lab.WaitForExitAsync(TimeSpan.FromSeconds(90));

            Assert.True(code == 0, lab.Output);
            Assert.Contains(lab.StdoutLines, l => l.Contains("agrees with the claim", StringComparison.Ordinal));
            var html = await File.ReadAllTextAsync(Path.Combine(directory, "index.html"));
            Assert.True(Regex.Count(html, "<svg ") >= 2, html);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.True(File.Exists(Path.Combine(directory, "keys.csv")));
            Assert.Empty(await ReportPage.ProblemsAsync(Path.Combine(directory, "index.html"), "the claim", 2, "lab-hashing.png"));

            var summary = await File.ReadAllLinesAsync(Path.Combine(directory, "summary.csv"));
            var header = summary[0].Split(',');
            var rows = summary.Skip(1).Select(l => l.Split(',')).ToDictionary(r => r[0]);
            int Column(string algorithm, string name) => int.Parse(rows[algorithm][Array.IndexOf(header, name)], CultureInfo.InvariantCulture);
            var keys = HashingScenario.Keys(isShort: true);
            foreach (var algorithm in HashingScenario.Algorithms) Assert.Equal(0, Column(algorithm, "errors"));
            // The ring sends every moved key to the newcomer and, on a leave, moves only the leaver's keys.
            Assert.Equal(Column("consistent-hash", "moved_on_join"), Column("consistent-hash", "moved_to_new"));
            Assert.Equal(Column("consistent-hash", "on_leaver"), Column("consistent-hash", "moved_on_leave"));
            Assert.InRange(Column("maglev", "moved_on_join"), keys / 10, keys * 3 / 10);
            Assert.True(Column("ip-hash", "moved_on_join") > keys / 2);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
