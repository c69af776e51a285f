using System.Globalization;
using Fulcrum.Bench.Ha;
using Fulcrum.Bench.Ha.Lab;

// bench/ha/run.sh: each scenario RUNS times in one lab per scenario, node a restored between runs; a CSV of every run
// and a summary (median and worst) per scenario.
var fulcrum = Arg("--fulcrum") ?? throw new ArgumentException("--fulcrum PATH/fulcrum.dll is required");
var outDir = Arg("--out") ?? Path.Combine(Path.GetTempPath(), "fulcrum-ha");
var runs = int.Parse(Arg("--runs") ?? "10", CultureInfo.InvariantCulture);
var scenarios = (Arg("--scenarios") ?? "kill,link-cut,switchover,upgrade").Split(',', StringSplitOptions.RemoveEmptyEntries);
var loopbackVip = Arg("--loopback-vip") != "false";
var secondChance = Arg("--second-chance") != "false";

if (!NetworkLab.CanRun(out var why))
{
    Console.Error.WriteLine($"ha: cannot run the lab: {why}");
    return 2;
}

Directory.CreateDirectory(outDir);
var csv = new List<string> { "run," + FailoverResult.CsvHeader };
var summary = new List<string>();
List<string>? anycastCsv = null;
foreach (var scenario in scenarios)
{
    if (scenario.StartsWith("anycast-", StringComparison.Ordinal))
    {
        // Anycast (docs/gslb.md): two nodes announcing one /32 over BGP to a router with ECMP; its own lab and CSV columns.
        anycastCsv ??= ["run," + Fulcrum.Bench.Ha.Anycast.AnycastResult.CsvHeader];
        summary.Add(await Fulcrum.Bench.Ha.Anycast.AnycastRuns.RunAsync(fulcrum, outDir, scenario, runs, anycastCsv));
        continue;
    }

    if (scenario == "upgrade")
    {
        // A binary upgrade moves no VIP: a new fulcrum takes the sockets over on the same node. bench/ha/upgrade.sh measures it.
        summary.Add("upgrade: no VIP move; measured by bench/ha/upgrade.sh (docs/performance.md, \"Binary upgrade under load\")");
        continue;
    }

    var options = new HaLabOptions
    {
        FulcrumDll = fulcrum,
        Directory = Path.Combine(outDir, scenario),
        LoopbackVip = loopbackVip,
        SecondChance = secondChance,
        // Nothing should hang in a switchover, so a request gets the time a real client would give it; after a kill or
        // a cut, requests in flight to the old master hang, and the timeout bounds how late the client sees the takeover.
        RequestTimeout = scenario == "switchover" ? TimeSpan.FromSeconds(2) : TimeSpan.FromMilliseconds(250),
    };
    await using var lab = await HaLab.StartAsync(options, Console.WriteLine);
    var results = new List<FailoverResult>();
    for (var run = 1; run <= runs; run++)
    {
        var result = scenario switch
        {
            "kill" => await lab.KillAsync(),
            "link-cut" => await lab.CutLinkAsync(),
            "switchover" => await lab.SwitchoverAsync(),
            _ => throw new ArgumentException($"unknown scenario '{scenario}'; use kill, link-cut, switchover, upgrade"),
        };
        results.Add(result);
        csv.Add(string.Create(CultureInfo.InvariantCulture, $"{run},{result.Csv}"));
        Console.WriteLine($"  restore: {await lab.RestoreAsync(scenario)}");
    }

    summary.Add(Summarize(scenario, results));
}

File.WriteAllLines(Path.Combine(outDir, "runs.csv"), csv);
if (anycastCsv is not null) File.WriteAllLines(Path.Combine(outDir, "anycast-runs.csv"), anycastCsv);
File.WriteAllLines(Path.Combine(outDir, "summary.txt"), summary);
Console.WriteLine();
foreach (var line in summary) Console.WriteLine(line);
return 0;

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string Summarize(string scenario, List<FailoverResult> results)
{
    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    var failover = results.Select(r => r.Failover?.TotalMilliseconds ?? double.PositiveInfinity).ToList();
    var takeover = results.Where(r => r.Takeover is not null).Select(r => r.Takeover!.Value.TotalMilliseconds).ToList();
    var failed = results.Select(r => (double)r.Failed).ToList();
    return string.Create(CultureInfo.InvariantCulture,
        $"{scenario}: {results.Count} runs; failover (fault to first success from the backup) median {Median(failover):F0} ms, worst {failover.Max():F0} ms; "
        + $"keepalived master median {Median(takeover):F0} ms; failed requests median {Median(failed):F0}, worst {failed.Max():F0}");
}
