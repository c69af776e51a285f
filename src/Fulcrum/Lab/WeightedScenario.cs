using System.Diagnostics;
using Fulcrum.Core.Balancing;
using Fulcrum.Hosting;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Lab;

/// <summary>
/// `weighted`: three backends of capacities 5 : 3 : 2 (seed 001's weights), the same closed-loop load through
/// `round-robin` and through `weighted-round-robin` with those weights. The claim: the powerful server gets the
/// larger share, in proportion to its weight, and the setup serves what its capacity allows.
/// </summary>
internal sealed class WeightedScenario : ILabScenario
{
    public const string SeedFile = "001_aeb21eb298e2ce43.txt";
    public const string SeedClaim = "{ id: 'S1', weight: 5 },  // Powerful server [...] // S1 gets 5/10 = 50% of traffic // S2 gets 3/10 = 30% of traffic // S3 gets 2/10 = 20% of traffic [...] When to use: When servers have different capacities (different CPU, RAM, etc.).";

    public static readonly string[] Algorithms = [BalancerNames.RoundRobin, BalancerNames.WeightedRoundRobin];

    /// <summary>The backends: workers (so capacity) in proportion to the seed's weights, the same time per request.</summary>
    public static readonly (string Name, int Workers)[] Servers = [("s1-big", 5), ("s2-medium", 3), ("s3-small", 2)];

    public static readonly TimeSpan ServiceTime = TimeSpan.FromMilliseconds(40);

    /// <summary>Twice the workers in all, so every backend can be kept busy and queues form where the balancer sends too much.</summary>
    public const int Clients = 20;

    /// <summary>How close each backend's share must come to its share of the capacity, in percentage points.</summary>
    public const double SharePoints = 3;

    public string Name => "weighted";

    public string Summary => "three backends of capacity 5:3:2: round-robin against weighted-round-robin with weights 5, 3, 2 (share of requests against capacity, requests/s, p99)";

    public static TimeSpan MeasureTime(bool isShort) => TimeSpan.FromSeconds(isShort ? 3 : 20);

    public async Task<string> RunAsync(LabSettings settings, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var total = Stopwatch.StartNew();
        using var loggerFactory = HostLogging.Create(LogLevel.Warning);
        var backends = new List<LabBackend>();
        try
        {
            foreach (var (name, workers) in Servers)
            {
                var backend = await LabBackend.StartAsync(name, ServiceTime, workers, cancellationToken);
                backend.Weight = workers;
                backends.Add(backend);
            }

            var measure = MeasureTime(settings.Short);
            // Unreported: the JIT and the connection pools warm up here, not on the first algorithm's figures.
            await ClosedLoopRun.MeasureAsync("warm-up", LabConfig.Text(BalancerNames.RoundRobin, backends), Name, Clients, measure / 6, 100_000, loggerFactory, cancellationToken);
            var runs = new List<AlgorithmRun>();
            foreach (var algorithm in Algorithms)
            {
                runs.Add(await ClosedLoopRun.MeasureAsync(algorithm, LabConfig.Text(algorithm, backends), Name, Clients, measure, 100_000, loggerFactory, cancellationToken));
            }

            var verdict = Verdict(runs, backends);
            await Console.Out.WriteLineAsync(verdict);
            return Report(settings, started, total.Elapsed, backends, runs, verdict);
        }
        finally
        {
            foreach (var backend in backends) await backend.DisposeAsync();
        }
    }

    /// <summary>A backend's share of the setup's capacity as measured (its workers over its measured service time).</summary>
    public static double CapacityShare(LabBackend backend, IReadOnlyList<LabBackend> all) => backend.Capacity / all.Sum(b => b.Capacity);

    public static string Verdict(IReadOnlyList<AlgorithmRun> runs, IReadOnlyList<LabBackend> backends)
    {
        var rr = runs.First(r => r.Algorithm == BalancerNames.RoundRobin);
        var wrr = runs.First(r => r.Algorithm == BalancerNames.WeightedRoundRobin);
        var worst = backends.Max(b => Math.Abs(wrr.ShareOf(b.Name) - CapacityShare(b, backends))) * 100;
        var figures = LabPage.Invariant(
            $"weighted-round-robin's shares {string.Join(" / ", backends.Select(b => LabPage.Invariant($"{wrr.ShareOf(b.Name) * 100:0.0}%")))} against capacity shares {string.Join(" / ", backends.Select(b => LabPage.Invariant($"{CapacityShare(b, backends) * 100:0.0}%")))} (at most {worst:0.0} points apart), {wrr.RequestsPerSecond:0} requests/s and p99 {wrr.P99Ms:0} ms against round-robin's {rr.RequestsPerSecond:0} requests/s and {rr.P99Ms:0} ms");
        return worst <= SharePoints && wrr.RequestsPerSecond > rr.RequestsPerSecond && wrr.Errors == 0
            ? $"The measurement agrees with the claim: {figures}."
            : $"The measurement does NOT show the claim on this machine: {figures}.";
    }

    private static string Report(LabSettings settings, DateTimeOffset started, TimeSpan took, List<LabBackend> backends, List<AlgorithmRun> runs, string verdict)
    {
        var capacity = backends.Sum(b => b.Capacity);
        string[] header = ["algorithm", "requests", "errors", "requests/s", "p50 ms", "p99 ms", .. backends.Select(b => "share " + b.Name)];
        var rows = runs.Select(r => (IReadOnlyList<string>)[r.Algorithm, LabPage.Invariant($"{r.Succeeded}"), LabPage.Invariant($"{r.Errors}"),
            LabPage.Invariant($"{r.RequestsPerSecond:0}"), LabPage.Invariant($"{r.P50Ms:0.0}"), LabPage.Invariant($"{r.P99Ms:0.0}"),
            .. backends.Select(b => LabPage.Invariant($"{r.ShareOf(b.Name) * 100:0.0}%"))]).ToList();
        rows.Add(["capacity", "", "", LabPage.Invariant($"{capacity:0}"), "", "", .. backends.Select(b => LabPage.Invariant($"{CapacityShare(b, backends) * 100:0.0}%"))]);
        string[] csvHeader = ["algorithm", "requests", "errors", "requests_per_second", "p50_ms", "p99_ms", .. backends.Select(b => "share_" + b.Name), .. backends.Select(b => "capacity_share_" + b.Name)];
        var csvRows = runs.Select(r => (IReadOnlyList<string>)[r.Algorithm, LabPage.Invariant($"{r.Succeeded}"), LabPage.Invariant($"{r.Errors}"),
            LabPage.Invariant($"{r.RequestsPerSecond:0.##}"), LabPage.Invariant($"{r.P50Ms:0.###}"), LabPage.Invariant($"{r.P99Ms:0.###}"),
            .. backends.Select(b => LabPage.Invariant($"{r.ShareOf(b.Name):0.####}")), .. backends.Select(b => LabPage.Invariant($"{CapacityShare(b, backends):0.####}"))]);
        var names = backends.Select(b => b.Name).ToList();
        var page = new LabPage("weighted", started, took, settings.Short, verdict)
            .Section("Setup", LabPage.Invariant($"""
                <ul>{string.Concat(backends.Select(b => LabPage.Invariant($"<li><b>{b.Name}</b>: {b.Workers} workers at {b.ServiceTime.TotalMilliseconds:0} ms a request ({b.MeasuredServiceTime.TotalMilliseconds:0.0} ms measured), so at most {b.Capacity:0} requests/s; weight {b.Weight}.</li>")))}</ul>
                <p>Kestrel backends in the lab's process on 127.0.0.1, each serving its workers' worth of requests at once with a FIFO
                queue before them. A fresh Fulcrum balancer per algorithm, one pool with the weights above (round robin ignores them).
                {Clients} closed-loop clients for {MeasureTime(settings.Short).TotalSeconds:0} s per algorithm, after an unreported warm-up.</p>
                """))
            .Section("What the seeds claim", "")
            .Claim(SeedFile, SeedClaim, "3. Weighted Round Robin")
            .Section("What was measured", "")
            .Table(header, rows)
            .Figure(SvgChart.Bars("capacity share per backend (as measured)", "%", names, [.. backends.Select(b => CapacityShare(b, backends) * 100)]));
        foreach (var run in runs) page.Figure(SvgChart.Bars($"share of requests per backend: {run.Algorithm}", "%", names, [.. backends.Select(b => run.ShareOf(b.Name) * 100)]));
        page.Figure(SvgChart.Bars("requests per second per algorithm", "requests/s", [.. runs.Select(r => r.Algorithm)], [.. runs.Select(r => r.RequestsPerSecond)]))
            .Figure(SvgChart.Bars("p99 latency per algorithm", "ms", [.. runs.Select(r => r.Algorithm)], [.. runs.Select(r => r.P99Ms)]))
            .Section("How to read it", """
                <p>Round robin gives every backend a third of the requests, whatever it can do: the small one's queue fills, its
                clients wait in it, and in a closed loop the whole setup slows to about three times what the small backend
                serves. Weighted round robin hands out requests 5 : 3 : 2 (smoothly interleaved, as nginx does), so each backend's
                share matches its share of the capacity and every one is about equally busy. The weights are the operator's guess
                of the capacity; when the capacity changes under them, the <code>feedback</code> scenario shows what follows.</p>
                """)
            .Data("summary.csv", LabCsv.Table(csvHeader, csvRows), "the table above, with the capacity shares")
            .Data("requests.csv", LabCsv.Requests(runs.Select(r => (r.Algorithm, r.Requests))), "every request (start, latency, backend, status)");
        return page.Save(settings.OutputDirectory);
    }
}
