using System.Diagnostics;
using Fulcrum.Core.Balancing;
using Fulcrum.Hosting;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Lab;

/// <summary>
/// `feedback`: three equal backends under closed-loop load; partway through one becomes five times slower (a neighbour
/// takes its CPU), which no configured weight foresaw. Round robin, least connections, and `weighted-by-load` reading
/// the backends' own ORCA load reports (`endpoint-load-metrics`) compared after the change.
/// </summary>
internal sealed class FeedbackScenario : ILabScenario
{
    public const string SeedFile = "003_8d305c01cc5d49d7.txt";
    public const string SeedClaim = "Least Response Time (Smartest) [...] Send to fastest-responding healthy server [...] Use Case: Servers have different performance characteristics";

    public static readonly string[] Algorithms = [BalancerNames.RoundRobin, BalancerNames.LeastConnections, BalancerNames.WeightedByLoad];

    public const string Slowed = "b1";
    public const int Workers = 4;
    public const int Clients = 24;
    public static readonly TimeSpan ServiceTime = TimeSpan.FromMilliseconds(20);
    public const double SlowFactor = 5;

    /// <summary>Left out after the change before "after" figures count: the weights follow every 0.5 s on reports of 250 ms windows.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    public sealed record Timeline(TimeSpan Change, TimeSpan End);

    public static Timeline Times(bool isShort) => isShort ? new(TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(5)) : new(TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(20));

    public string Name => "feedback";

    public string Summary => "one of three equal backends turns 5x slower mid-run: round-robin, least-connections and weighted-by-load on the backends' ORCA load reports (after the change: requests/s, p99, the slow one's share)";

    public static string ConfigText(string algorithm, IReadOnlyList<LabBackend> backends) => algorithm == BalancerNames.WeightedByLoad
        ? LabConfig.Text(algorithm, backends, $"load-header: {LabBackend.LoadHeader}")
        : LabConfig.Text(algorithm, backends);

    /// <summary>The figures of the requests that started after the change had settled.</summary>
    public static AlgorithmRun After(AlgorithmRun run, Timeline times)
    {
        var from = (times.Change + Settle).TotalMilliseconds;
        return new AlgorithmRun(run.Algorithm, times.End - times.Change - Settle, [.. run.Requests.Where(r => r.StartMs >= from)], []);
    }

    public async Task<string> RunAsync(LabSettings settings, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var total = Stopwatch.StartNew();
        using var loggerFactory = HostLogging.Create(LogLevel.Warning);
        var times = Times(settings.Short);
        var backends = new List<LabBackend>();
        try
        {
            for (var i = 1; i <= 3; i++)
            {
                var backend = await LabBackend.StartAsync($"b{i}", ServiceTime, Workers, cancellationToken);
                backend.ReportsLoad = true;
                backends.Add(backend);
            }

            await ClosedLoopRun.MeasureAsync("warm-up", ConfigText(BalancerNames.RoundRobin, backends), Name, Clients, TimeSpan.FromSeconds(0.5), 100_000, loggerFactory, cancellationToken);
            var runs = new List<AlgorithmRun>();
            foreach (var algorithm in Algorithms)
            {
                backends[0].ServiceTime = ServiceTime;
                runs.Add(await ClosedLoopRun.MeasureAsync(algorithm, ConfigText(algorithm, backends), Name, Clients, times.End, 200_000, loggerFactory, cancellationToken,
                    async stop =>
                    {
                        await Task.Delay(times.Change, stop);
                        backends[0].ServiceTime = ServiceTime * SlowFactor;
                    }));
            }

            backends[0].ServiceTime = ServiceTime;
            var verdict = Verdict(runs, times);
            await Console.Out.WriteLineAsync(verdict);
            return Report(settings, started, total.Elapsed, times, runs, verdict);
        }
        finally
        {
            foreach (var backend in backends) await backend.DisposeAsync();
        }
    }

    public static string Verdict(IReadOnlyList<AlgorithmRun> runs, Timeline times)
    {
        var rr = After(runs.First(r => r.Algorithm == BalancerNames.RoundRobin), times);
        var lc = After(runs.First(r => r.Algorithm == BalancerNames.LeastConnections), times);
        var load = After(runs.First(r => r.Algorithm == BalancerNames.WeightedByLoad), times);
        var figures = LabPage.Invariant($"after {Slowed} slowed {SlowFactor:0}x, weighted-by-load gave it {load.ShareOf(Slowed) * 100:0.0}% of the requests with {load.RequestsPerSecond:0} requests/s and p99 {load.P99Ms:0} ms; least-connections {lc.ShareOf(Slowed) * 100:0.0}%, {lc.RequestsPerSecond:0} requests/s, p99 {lc.P99Ms:0} ms; round-robin {rr.ShareOf(Slowed) * 100:0.0}%, {rr.RequestsPerSecond:0} requests/s, p99 {rr.P99Ms:0} ms");
        return load.ShareOf(Slowed) < 0.25 && load.RequestsPerSecond > 1.3 * rr.RequestsPerSecond && load.P99Ms < rr.P99Ms
            ? $"The measurement agrees with the claim: {figures}."
            : $"The measurement does NOT show the claim on this machine: {figures}.";
    }

    private static string Report(LabSettings settings, DateTimeOffset started, TimeSpan took, Timeline times, List<AlgorithmRun> runs, string verdict)
    {
        var after = runs.Select(r => After(r, times)).ToList();
        string[] header = ["algorithm", "requests/s before", "requests/s after", "p99 ms after", "share of b1 after", "errors"];
        var rows = runs.Zip(after, (r, a) => (IReadOnlyList<string>)[r.Algorithm,
            LabPage.Invariant($"{r.Requests.Count(x => !x.IsError && x.StartMs < times.Change.TotalMilliseconds) / times.Change.TotalSeconds:0}"),
            LabPage.Invariant($"{a.RequestsPerSecond:0}"), LabPage.Invariant($"{a.P99Ms:0}"), LabPage.Invariant($"{a.ShareOf(Slowed) * 100:0.0}%"), LabPage.Invariant($"{r.Errors}")]).ToList();
        string[] csvHeader = ["algorithm", "requests", "errors", "requests_per_second_after", "p50_ms_after", "p99_ms_after", "share_b1_after", "share_b1_before"];
        var csvRows = runs.Zip(after, (r, a) => (IReadOnlyList<string>)[r.Algorithm, LabPage.Invariant($"{r.Succeeded}"), LabPage.Invariant($"{r.Errors}"),
            LabPage.Invariant($"{a.RequestsPerSecond:0.##}"), LabPage.Invariant($"{a.P50Ms:0.###}"), LabPage.Invariant($"{a.P99Ms:0.###}"), LabPage.Invariant($"{a.ShareOf(Slowed):0.####}"),
            LabPage.Invariant($"{(double)r.Requests.Count(x => !x.IsError && x.Backend == Slowed && x.StartMs < times.Change.TotalMilliseconds) / Math.Max(1, r.Requests.Count(x => !x.IsError && x.StartMs < times.Change.TotalMilliseconds)):0.####}")]);
        var names = runs.Select(r => r.Algorithm).ToList();
        var page = new LabPage("feedback", started, took, settings.Short, verdict)
            .Section("Setup", LabPage.Invariant($"""
                <p>Three Kestrel backends, each {Workers} workers at {ServiceTime.TotalMilliseconds:0} ms a request, all with the same weight. Each adds to its
                answers its own load in ORCA's <code>{LabBackend.LoadHeader}: TEXT application_utilization=U, rps_fractional=R</code>, over
                windows of {LabBackend.LoadWindow.TotalMilliseconds:0} ms (the share of its workers' time spent serving, and its rate). At {times.Change.TotalSeconds:0.#} s
                backend {Slowed} becomes {SlowFactor:0} times slower ({(ServiceTime * SlowFactor).TotalMilliseconds:0} ms a request). {Clients} closed-loop clients for
                {times.End.TotalSeconds:0} s per algorithm, each with a fresh balancer: round-robin, least-connections, and weighted-by-load with
                <code>load-header: {LabBackend.LoadHeader}</code>. "After" counts the requests started {Settle.TotalSeconds:0} s or more after the change.</p>
                """))
            .Section("What the seeds claim", "")
            .Claim(SeedFile, SeedClaim, "Least Response Time")
            .Section("What was measured", "")
            .Table(header, rows)
            .Figure(SvgChart.Bars("share of requests to the slowed backend, after the change", "%", names, [.. after.Select(a => a.ShareOf(Slowed) * 100)]))
            .Figure(SvgChart.Bars("requests per second after the change", "requests/s", names, [.. after.Select(a => a.RequestsPerSecond)]))
            .Figure(SvgChart.Bars("p99 latency after the change", "ms", names, [.. after.Select(a => a.P99Ms)]))
            .Figure(SvgChart.Lines("requests b1 answered per 250 ms", "answered", [.. runs.Select(r => (r.Algorithm, HealthScenario.PerBucket(r.Requests, 250, s => !s.IsError && s.Backend == Slowed)))]))
            .Section("How to read it", """
                <p>The seeds' answer to servers of different performance is to send work to the fastest-responding one. The
                configured weights cannot know that a backend slowed down after they were written, so round robin keeps
                giving the slow one a third of the requests, its queue holds the clients, and the whole setup serves about
                three times what the slow backend can. Least connections sees the queue and sends it less. Weighted by load
                listens to the backends themselves: the slow one reports full utilization at a fifth of the rate, so its
                estimated capacity (rate over utilization) and with it its weight fall to about a fifth of the others'.</p>
                """)
            .Data("summary.csv", LabCsv.Table(csvHeader, csvRows), "per algorithm: requests, errors, and after the change: requests/s, p50, p99, the slowed backend's share")
            .Data("requests.csv", LabCsv.Requests(runs.Select(r => (r.Algorithm, r.Requests))), "every request (start, latency, backend, status)");
        return page.Save(settings.OutputDirectory);
    }
}
