using Fulcrum.Commands;
using Fulcrum.Simulation;

namespace Fulcrum.Tests.Simulation;

public sealed class SimulateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fulcrum-simulate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Simulate_PrintsATable_AndWritesAReportWithCharts_AndACsv()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = SimulateCommand.Run(new SimulationSettings { Backends = 20, Requests = 20_000 }, ["round-robin,power-of-two"], _dir, stdout, stderr);

        Assert.Equal(ExitCodes.Success, code);
        var text = stdout.ToString();
        Assert.Contains("round-robin", text, StringComparison.Ordinal);
        Assert.Contains("power-of-two", text, StringComparison.Ordinal);
        Assert.Contains("p99 ms", text, StringComparison.Ordinal);
        var html = File.ReadAllText(Path.Combine(_dir, "index.html"));
        Assert.True(html.Split("<svg ").Length - 1 >= 4, html);
        var csv = File.ReadAllLines(Path.Combine(_dir, "summary.csv"));
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("round-robin,18000,0,", csv[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_UnknownAlgorithm_OrBadSettings_SayWhat()
    {
        var stderr = new StringWriter();
        Assert.Equal(ExitCodes.BadUsage, SimulateCommand.Run(new SimulationSettings(), ["fastest"], null, new StringWriter(), stderr));
        Assert.Contains("unknown algorithm 'fastest'", stderr.ToString(), StringComparison.Ordinal);
        stderr = new StringWriter();
        Assert.Equal(ExitCodes.BadUsage, SimulateCommand.Run(new SimulationSettings { Load = 0 }, [], null, new StringWriter(), stderr));
        Assert.Contains("--load", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AtLargeScale_TheAlgorithmsThatScanEveryBackend_AreLeftOutByDefault_AndSaidSo()
    {
        var stdout = new StringWriter();
        // 10,000 backends x 200,000 requests is past the scan budget; the run itself stays small.
        SimulateCommand.Run(new SimulationSettings { Backends = 10_000, Requests = 200_000 }, [], null, stdout, new StringWriter());
        var text = stdout.ToString();
        Assert.Contains("left out at this scale", text, StringComparison.Ordinal);
        Assert.Contains("power-of-two", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\nleast-connections ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\nweighted-by-load ", text, StringComparison.Ordinal);
    }
}
