using System.Diagnostics;

namespace Fulcrum.Tests.Bench;

/// <summary>
/// The bench scripts are run by hand, minutes at a time, so a broken one would only show when someone needs its
/// figures. These checks cost milliseconds: every script parses (`bash -n`), and bench/compare.sh answers --help
/// and refuses a bad argument before it builds or starts anything.
/// </summary>
public sealed class BenchScriptsTests
{
    [Fact]
    public void EveryBenchScript_Parses()
    {
        var scripts = Directory.GetFiles(Path.Combine(RepositoryRoot, "bench"), "*.sh", SearchOption.AllDirectories)
            .Where(path => !path.Contains("/.bench-out/", StringComparison.Ordinal))
            .ToArray();
        Assert.Contains(scripts, path => path.EndsWith("/bench/compare.sh", StringComparison.Ordinal));
        foreach (var script in scripts)
        {
            var (code, output) = Bash("-n", script);
            Assert.True(code == 0, $"{script}: {output}");
        }
    }

    [Fact]
    public void Compare_PrintsItsUsage_AndRefusesABadRoundCountBeforeStartingAnything()
    {
        var compare = Path.Combine(RepositoryRoot, "bench/compare.sh");

        var (help, usage) = Bash(compare, "--help");
        Assert.Equal(0, help);
        Assert.Contains("usage: bench/compare.sh [--quick] [--rounds R] [--no-build]", usage, StringComparison.Ordinal);

        var (bad, error) = Bash(compare, "--rounds", "0", "--no-build");
        Assert.Equal(2, bad);
        Assert.Contains("--rounds wants a positive number", error, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output) Bash(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("bash " + string.Join(' ', arguments) + " did not finish within 60 s");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Fulcrum.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("no Fulcrum.slnx above " + AppContext.BaseDirectory);
        }
    }
}
