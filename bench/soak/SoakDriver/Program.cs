using Fulcrum.Bench.Soak;

// The chaos soak's driver; bench/soak/run.sh builds Fulcrum and runs this. Exit 0 pass, 1 fail, 2 bad usage.
var options = SoakOptions.Parse(args, out var error);
if (options is null)
{
    Console.Error.WriteLine($"SoakDriver: {error}");
    Console.Error.WriteLine(SoakOptions.Usage);
    return 2;
}

var result = await Soak.RunAsync(options, line => Console.WriteLine($"soak: {line}"));
var summary = SoakReport.Format(result);
File.WriteAllText(Path.Combine(options.OutDir, "summary.txt"), summary);
File.WriteAllText(Path.Combine(options.OutDir, "soak.svg"), SoakChart.Svg(result.Samples));
Console.WriteLine();
Console.Write(summary);
Console.WriteLine($"soak: CSV, chart, summary and fulcrum.log in {options.OutDir}");
return result.Passed ? 0 : 1;
