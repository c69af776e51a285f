using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Fulcrum.Lab;

/// <summary>
/// `slow-server`: three backends, one ten times slower than the other two, behind a real Fulcrum
/// listener, and the same closed-loop load run once per algorithm. Seed 002 claims least connections
/// beats round robin when servers differ in speed; this measures it.
/// </summary>
public sealed class SlowServerScenario : ILabScenario
{
    public const string ListenerName = LabConfig.ListenerName;
    public const string PoolName = LabConfig.PoolName;

    /// <summary>The algorithms compared, in the report's order.</summary>
    public static readonly string[] Algorithms =
    [
        BalancerNames.RoundRobin,
        BalancerNames.LeastConnections,
        BalancerNames.LeastResponseTime,
        BalancerNames.PowerOfTwo,
        BalancerNames.PeakEwma,
    ];

    /// <summary>A fast backend's time per request; the slow one takes ten times as long.</summary>
    public static readonly TimeSpan FastServiceTime = TimeSpan.FromMilliseconds(10);

    public static readonly TimeSpan SlowServiceTime = FastServiceTime * 10;

    /// <summary>Requests each backend serves at once; more wait in its queue.</summary>
    public const int WorkersPerBackend = 2;

    /// <summary>Concurrent clients: enough to fill every backend's workers several times over, so queues form.</summary>
    public const int Clients = 24;

    /// <summary>A bound on each algorithm's requests besides its time.</summary>
    public const int MaxRequestsPerAlgorithm = 100_000;

    public static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(50);

    public string Name => "slow-server";

    public string Summary => "three backends, one 10x slower: round-robin, least-connections, least-response-time, power-of-two and peak-ewma compared (p50/p99, requests/s, share, in-flight)";

    /// <summary>
    /// How long each algorithm is measured: 16 s, or 2 s in the short mode. Five algorithms at 20 s took 107 s in all on a
    /// busy 2-core machine, too near the lab's 2 minutes; at 16 s they take about 87 s.
    /// </summary>
    public static TimeSpan MeasureTime(bool isShort) => TimeSpan.FromSeconds(isShort ? 2 : 16);

    public async Task<string> RunAsync(LabSettings settings, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var total = Stopwatch.StartNew();
        using var loggerFactory = HostLogging.Create(LogLevel.Warning);
        var backends = new List<LabBackend>();
        try
        {
            backends.Add(await LabBackend.StartAsync("fast-1", FastServiceTime, WorkersPerBackend, cancellationToken));
            backends.Add(await LabBackend.StartAsync("fast-2", FastServiceTime, WorkersPerBackend, cancellationToken));
            backends.Add(await LabBackend.StartAsync("slow", SlowServiceTime, WorkersPerBackend, cancellationToken));
            var measure = MeasureTime(settings.Short);
            var runs = new List<AlgorithmRun>();
            // Redirected to a file or a test's pipe, the progress comes as plain lines without colour codes.
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = Console.IsOutputRedirected ? AnsiSupport.No : AnsiSupport.Detect,
                ColorSystem = Console.IsOutputRedirected ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
                Interactive = Console.IsOutputRedirected ? InteractionSupport.No : InteractionSupport.Detect,
            });
            await console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    // A first, unreported pass: the JIT and the connection pools warm up on it, not on round-robin's figures.
                    var warmUp = progress.AddTask("warm-up", maxValue: 1);
                    await MeasureAsync(BalancerNames.RoundRobin, backends, measure / 10, loggerFactory, warmUp, cancellationToken);
                    foreach (var algorithm in Algorithms)
                    {
                        var task = progress.AddTask(algorithm, maxValue: 1);
                        runs.Add(await MeasureAsync(algorithm, backends, measure, loggerFactory, task, cancellationToken));
                    }
                });

            var result = new SlowServerResult(started, total.Elapsed, settings.Short, measure, backends, runs);
            var report = SlowServerReport.Write(settings.OutputDirectory, result);
            await Console.Out.WriteLineAsync(SlowServerReport.Verdict(result));
            return report;
        }
        finally
        {
            foreach (var backend in backends)
            {
                await backend.DisposeAsync();
            }
        }
    }

    /// <summary>The pool in front of the lab's backends, as a config file would say it.</summary>
    public static string ConfigText(string algorithm, IReadOnlyList<LabBackend> backends) => LabConfig.Text(algorithm, backends);

    private static async Task<AlgorithmRun> MeasureAsync(
        string algorithm, IReadOnlyList<LabBackend> backends, TimeSpan measure, ILoggerFactory loggerFactory, ProgressTask task, CancellationToken cancellationToken)
    {
        var loaded = ConfigLoader.LoadText(ConfigText(algorithm, backends), "<lab slow-server>");
        if (!loaded.IsValid)
        {
            // The config is ours: an error here is a bug in the lab.
            throw new InvalidOperationException("lab config is invalid: " + string.Join("; ", loaded.Errors));
        }

        // A fresh balancer per algorithm, as `fulcrum run` builds it: the pool's counters start at zero.
        await using var host = new BalancerHost(loaded.Config!, loggerFactory);
        await host.StartAsync(cancellationToken, watchConfigFile: false);
        var endpoint = host.Http.BoundEndpoints[ListenerName];
        var pool = host.Store.Current.Pools[PoolName];
        var generator = new LoadGenerator(new Uri($"http://{endpoint}/"), Clients, measure, MaxRequestsPerAlgorithm);
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampling = InFlightSampler.RunAsync(pool, SampleInterval, stopSampling.Token);
        var clock = Stopwatch.StartNew();
        var load = generator.RunAsync(cancellationToken);
        while (!load.IsCompleted)
        {
            task.Value = Math.Min(1, clock.Elapsed / measure);
            task.Description = $"{algorithm}: {generator.Completed} requests, {generator.Errors} errors";
            await Task.WhenAny(load, Task.Delay(200, cancellationToken));
        }

        var requests = await load;
        var elapsed = clock.Elapsed;
        await stopSampling.CancelAsync();
        var inFlight = await sampling;
        task.Description = $"{algorithm}: {generator.Completed} requests, {generator.Errors} errors";
        task.Value = 1;
        await host.StopAsync(TimeSpan.FromSeconds(5));
        return new AlgorithmRun(algorithm, elapsed, requests, inFlight);
    }
}
