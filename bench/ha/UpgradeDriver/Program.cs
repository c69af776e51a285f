using Fulcrum.Bench.Upgrade;

// The binary upgrade under load; bench/ha/upgrade.sh builds Fulcrum and runs this. Exit 0 pass, 1 fail, 2 bad usage.
var options = UpgradeOptions.Parse(args, out var error);
if (options is null)
{
    Console.Error.WriteLine($"UpgradeDriver: {error}");
    Console.Error.WriteLine(UpgradeOptions.Usage);
    return 2;
}

var results = await Upgrade.RunAsync(options, line => Console.WriteLine($"upgrade: {line}"));
var summary = UpgradeReport.Format(results);
File.WriteAllText(Path.Combine(options.OutDir, "summary.txt"), summary);
Console.WriteLine();
Console.Write(summary);
Console.WriteLine($"upgrade: summary, configs and each process's log in {options.OutDir}");
return results.All(r => r.Passed) ? 0 : 1;
