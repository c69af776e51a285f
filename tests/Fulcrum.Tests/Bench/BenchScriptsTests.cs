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
        Assert.Contains("usage: bench/compare.sh [--quick] [--rounds R] [--breakdown] [--strace] [--no-build]", usage, StringComparison.Ordinal);

        var (bad, error) = Bash(compare, "--rounds", "0", "--no-build");
        Assert.Equal(2, bad);
        Assert.Contains("--rounds wants a positive number", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_RefusesAnUnknownL4Load_BeforeStartingAnything()
    {
        var (code, error) = Bash("-c", "L4_LOAD=ab " + Path.Combine(RepositoryRoot, "bench/compare.sh") + " --no-build");
        Assert.Equal(2, code);
        Assert.Contains("L4_LOAD is load-and-backends or wrk, not 'ab'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--close")]
    public void LoadAndBackends_AnswersEveryRequestItSends_WithWrksLines(string close)
    {
        // The L4 comparison's load (bench/l4/load-and-backends.c) against its own backend: every request answered,
        // no socket errors, and the lines bench/lib.sh reads from wrk. Bounded by count (-n), not by time.
        var dir = Directory.CreateTempSubdirectory("load-and-backends-");
        try
        {
            var binary = Path.Combine(dir.FullName, "load-and-backends");
            var (built, compiler) = Bash("-c", $"cc -O2 -Wall -Werror -o '{binary}' '{Path.Combine(RepositoryRoot, "bench/l4/load-and-backends.c")}'");
            Assert.True(built == 0, compiler);

            var (code, output) = Bash("-c", $"'{binary}' -c 4 -d 50 -n 2000 {close} self 127.0.0.1:0 127.0.0.1:0");

            Assert.True(code == 0, output);
            Assert.Contains("  2000 requests in ", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Socket errors", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Non-2xx", output, StringComparison.Ordinal);
            Assert.Matches(@"(?m)^ +99%  [0-9.]+(us|ms)$", output);
            Assert.Matches(@"(?m)^Requests/sec: [0-9.]+$", output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void PerfComponents_FilesKernelTimeUnderItsSystemCall_AndUserTimeUnderTheComponentThatCalledIt()
    {
        // Three samples as `perf script -F comm,tid,period,ip,sym,dso` prints them: loopback delivery (softirq) inside a
        // send, a CoreLib span helper called by Fulcrum's X-Forwarded-For filter, and precompiled Kestrel code.
        const string samples = """
            .NET Sockets 13723    1001001
            	    ffffffff81a00001 net_rx_action+0x21 ([kernel.kallsyms])
            	    ffffffff81a00002 __do_softirq+0x10 ([kernel.kallsyms])
            	    ffffffff81a00003 __x64_sys_sendto+0x10 ([kernel.kallsyms])
            	          5e4da3 [unknown] (/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/System.Net.Sockets.dll)

            .NET Sockets 13723    1001001
            	          5e4da3 [unknown] (/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/System.Private.CoreLib.dll)
            	    7f3b2ff7e2a7 instance void [Fulcrum.L7] Fulcrum.L7.Filters.ForwardedHeadersFilter::Edit(class Fulcrum.L7.Exchange.HttpExchange)[OptimizedTier1] (/tmp/perf-13652.map)
            	    7f3b2ff7c580 instance class [System.Runtime]System.Threading.Tasks.Task [Fulcrum.L7] Fulcrum.L7.Routing.CompiledRoute::ExecuteAsync(class Fulcrum.L7.Exchange.HttpExchange)[OptimizedTier1] (/tmp/perf-13652.map)

            .NET Sockets 13723    1001001
            	           ce1cc [unknown] (/usr/share/dotnet/shared/Microsoft.AspNetCore.App/10.0.12/Microsoft.AspNetCore.Server.Kestrel.Core.dll)

            """;
        var script = Path.Combine(RepositoryRoot, "bench/perf-components.py");
        var start = new ProcessStartInfo("python3") { RedirectStandardInput = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        process.StandardInput.Write(samples.Replace("\\t", "\t", StringComparison.Ordinal));
        process.StandardInput.Close();
        var table = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "perf-components.py did not finish");

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("| kernel: send (incl. loopback delivery to the peer) | 33.3 % |", table, StringComparison.Ordinal);
        Assert.Contains("| Fulcrum: filters (X-Forwarded-*, X-Request-ID, header edits) | 33.3 % |", table, StringComparison.Ordinal);
        Assert.Contains("| Kestrel HTTP/1.1 (parser, HttpContext, pipes) | 33.3 % |", table, StringComparison.Ordinal);
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
