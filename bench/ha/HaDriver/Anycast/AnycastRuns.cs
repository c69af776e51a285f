using System.Globalization;

namespace Fulcrum.Bench.Ha.Anycast;

/// <summary>
/// bench/ha/run.sh's anycast scenarios: one lab per scenario, the fault RUNS times with node a restored in between;
/// each run's CSV line and a summary (median and worst withdrawal, failed requests).
/// </summary>
public static class AnycastRuns
{
    public static readonly string[] Scenarios = ["anycast-kill", "anycast-drain", "anycast-link-cut"];

    public static async Task<string> RunAsync(string fulcrumDll, string outDir, string scenario, int runs, List<string> csv)
    {
        var options = new AnycastLabOptions { FulcrumDll = fulcrumDll, Directory = Path.Combine(outDir, scenario) };
        await using var lab = await AnycastLab.StartAsync(options, Console.WriteLine);
        var results = new List<AnycastResult>();
        for (var run = 1; run <= runs; run++)
        {
            var result = scenario switch
            {
                "anycast-kill" => await lab.KillFulcrumAsync(),
                "anycast-drain" => await lab.DrainFulcrumAsync(),
                "anycast-link-cut" => await lab.CutLinkAsync(),
                _ => throw new ArgumentException($"unknown scenario '{scenario}'; use {string.Join(", ", Scenarios)}"),
            };
            results.Add(result);
            csv.Add(string.Create(CultureInfo.InvariantCulture, $"{run},{result.Csv}"));
            Console.WriteLine($"  restore: {await lab.RestoreAsync(result.Scenario)}");
        }

        var withdrawn = results.Select(r => r.Withdrawn?.TotalMilliseconds ?? double.PositiveInfinity).Order().ToArray();
        var failed = results.Select(r => r.Failed).Order().ToArray();
        return string.Create(CultureInfo.InvariantCulture,
            $"{scenario}: {results.Count} runs; route withdrawn at the router median {withdrawn[withdrawn.Length / 2]:F0} ms, worst {withdrawn[^1]:F0} ms; failed requests median {failed[failed.Length / 2]}, worst {failed[^1]}");
    }
}
