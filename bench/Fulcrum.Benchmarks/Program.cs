using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Fulcrum.Benchmarks;

/// <summary>
/// Runs Fulcrum's core benchmarks: `dotnet run -c Release --project bench/Fulcrum.Benchmarks -- --filter '*'`.
/// Benchmarks run in this process (no generated project to build) with a short job, so a full run of
/// the balancer suite takes a few minutes; pass `--job default` style options to BenchmarkDotNet for more.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["access-log-cpu", .. var rest]) return rest is [var path, ..] ? AccessLogCpu.Run(path) : AccessLogCpu.Run();
        var job = Job.ShortRun
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(200))
            .WithId("Short");
        var config = DefaultConfig.Instance
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .WithOptions(ConfigOptions.JoinSummary)
            .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(32));
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
