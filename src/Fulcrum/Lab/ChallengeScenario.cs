using System.Diagnostics;
using System.Globalization;
using Fulcrum.Hosting;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Lab;

/// <summary>
/// `challenge`: seed 003's performance challenge measured in one run: clients straight to one server, through Fulcrum
/// as an L4 (tcp) balancer, and through Fulcrum as an L7 (http) balancer, over two backends. Each mode: a closed-loop
/// phase for latency percentiles and requests/s, then an open-loop phase in which a backend is killed, for the error
/// rate and the failover time.
/// </summary>
internal sealed class ChallengeScenario : ILabScenario
{
    public const string SeedFile = "003_8d305c01cc5d49d7.txt";
    public const string SeedClaim = "Performance Analysis Challenge. Measure load balancer performance: 1. Without Load Balancer: Direct requests to single server 2. With L4 Load Balancer: Round robin distribution 3. With L7 Load Balancer: Content-based routing. Metrics to Compare: Average response time, Requests per second, Error rate under load, Failover time when server goes down";

    public const string Direct = "no balancer";
    public const string L4 = "L4 (tcp)";
    public const string L7 = "L7 (http)";
    public static readonly string[] Modes = [Direct, L4, L7];

    public const int Workers = 4;
    public static readonly TimeSpan ServiceTime = TimeSpan.FromMilliseconds(20);
    public const int Clients = 12;

    /// <summary>The failover phase's rate: within one backend's capacity (200/s), so the direct mode is not overloaded by it.</summary>
    public const double FailoverRate = 100;

    public sealed record Timeline(TimeSpan Throughput, TimeSpan Failover, TimeSpan Kill);

    public static Timeline Times(bool isShort) => isShort
        ? new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1))
        : new(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(5));

    public string Name => "challenge";

    public string Summary => "seed 003's challenge: no balancer vs L4 vs L7 in one run (latency percentiles, requests/s, error rate and failover time when a server dies)";

    /// <summary>Both listeners in one file: the tcp one relays connections, the http one routes requests (a path route first).</summary>
    public static string ConfigText(IReadOnlyList<LabBackend> backends)
    {
        var list = string.Concat(backends.Select(b => $"      - {{ name: {b.Name}, address: {b.Address} }}\n"));
        return string.Create(CultureInfo.InvariantCulture, $$"""
            listeners:
              - name: {{LabConfig.ListenerName}}
                bind: 127.0.0.1:0
                protocol: http
                routes:
                  - match: { path-prefix: /static/ }
                    pool: {{LabConfig.PoolName}}
                  - pool: {{LabConfig.PoolName}}
              - name: tcp
                bind: 127.0.0.1:0
                protocol: tcp
                pool: tcp
            pools:
              - name: {{LabConfig.PoolName}}
                health: { active: { path: /health, interval: 250ms, timeout: 200ms, rise: 2, fall: 2 } }
                backends:
            {{list}}  - name: tcp
                health: { active: { type: tcp, interval: 250ms, timeout: 200ms, rise: 2, fall: 2 } }
                backends:
            {{list}}
            """);
    }

    public async Task<string> RunAsync(LabSettings settings, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var total = Stopwatch.StartNew();
        using var loggerFactory = HostLogging.Create(LogLevel.Error);
        var times = Times(settings.Short);
        var runs = new List<ChallengeRun>();
        foreach (var mode in Modes) runs.Add(await MeasureAsync(mode, times, loggerFactory, cancellationToken));
        var verdict = Verdict(runs, times);
        await Console.Out.WriteLineAsync(verdict);
        return Report(settings, started, total.Elapsed, times, runs, verdict);
    }

    public static string Verdict(IReadOnlyList<ChallengeRun> runs, Timeline times)
    {
        var phase = times.Failover.TotalMilliseconds;
        string Failover(ChallengeRun r) => double.IsNaN(r.FailoverMs(phase)) ? "never" : LabPage.Invariant($"{r.FailoverMs(phase):0} ms");
        var figures = string.Join("; ", runs.Select(r => LabPage.Invariant(
            $"{r.Name}: {r.Throughput.RequestsPerSecond:0} requests/s, mean {r.Throughput.MeanMs:0.0} ms, p99 {r.Throughput.P99Ms:0.0} ms, {r.ErrorRate * 100:0.0}% errors, failover {Failover(r)}")));
        var direct = runs.First(r => r.Name == Direct);
        var balanced = runs.Where(r => r.Name != Direct).ToList();
        var holds = double.IsNaN(direct.FailoverMs(phase))
            && balanced.All(r => !double.IsNaN(r.FailoverMs(phase)) && r.ErrorRate < direct.ErrorRate && r.Throughput.RequestsPerSecond > 1.3 * direct.Throughput.RequestsPerSecond);
        return holds ? $"The measurement agrees with the claim: {figures}." : $"The measurement does NOT show the claim on this machine: {figures}.";
    }

    private static async Task<ChallengeRun> MeasureAsync(string mode, Timeline times, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var backends = new List<LabBackend>();
        try
        {
            for (var i = 1; i <= 2; i++) backends.Add(await LabBackend.StartAsync($"b{i}", ServiceTime, Workers, cancellationToken));
            await using var host = await LabBalancer.StartAsync(ConfigText(backends), "challenge", loggerFactory, cancellationToken);
            var url = mode switch
            {
                Direct => new Uri($"http://{backends[0].Address}/"),
                L4 => new Uri($"http://{host.BoundEndpoints["tcp"]}/"),
                _ => LabBalancer.Url(host),
            };
            // Unreported: the JIT and the connections warm up.
            await new LoadGenerator(url, Clients, TimeSpan.FromSeconds(0.5), 100_000).RunAsync(cancellationToken);
            var clock = Stopwatch.StartNew();
            var requests = await new LoadGenerator(url, Clients, times.Throughput, 200_000).RunAsync(cancellationToken);
            var throughput = new AlgorithmRun(mode, clock.Elapsed, requests, []);

            var load = new OpenLoopLoad(url, FailoverRate, times.Failover, TimeSpan.FromSeconds(2));
            var origin = Stopwatch.GetTimestamp();
            var failover = load.RunAsync(cancellationToken);
            await Task.Delay(times.Kill, cancellationToken);
            var killed = Stopwatch.GetElapsedTime(origin).TotalMilliseconds;
            await backends[0].KillAsync();
            var run = new ChallengeRun(mode, throughput, await failover, killed);
            await Console.Out.WriteLineAsync(LabPage.Invariant($"{mode}: {throughput.RequestsPerSecond:0} requests/s, p99 {throughput.P99Ms:0.0} ms; {run.Failed} of {run.Failover.Count} failed around the kill"));
            await host.StopAsync(TimeSpan.FromSeconds(5));
            return run;
        }
        finally
        {
            foreach (var backend in backends) await backend.DisposeAsync();
        }
    }

    private static string Report(LabSettings settings, DateTimeOffset started, TimeSpan took, Timeline times, List<ChallengeRun> runs, string verdict)
    {
        var phase = times.Failover.TotalMilliseconds;
        string Failover(ChallengeRun r) => double.IsNaN(r.FailoverMs(phase)) ? "never" : LabPage.Invariant($"{r.FailoverMs(phase):0}");
        string[] header = ["mode", "requests/s", "mean ms", "p50 ms", "p90 ms", "p99 ms", "error rate (failover phase)", "failover ms"];
        var rows = runs.Select(r => (IReadOnlyList<string>)[r.Name, LabPage.Invariant($"{r.Throughput.RequestsPerSecond:0}"), LabPage.Invariant($"{r.Throughput.MeanMs:0.0}"),
            LabPage.Invariant($"{r.Throughput.P50Ms:0.0}"), LabPage.Invariant($"{r.Throughput.Percentile(0.9):0.0}"), LabPage.Invariant($"{r.Throughput.P99Ms:0.0}"),
            LabPage.Invariant($"{r.ErrorRate * 100:0.0}%"), Failover(r)]).ToList();
        string[] csvHeader = ["mode", "requests_per_second", "mean_ms", "p50_ms", "p90_ms", "p99_ms", "throughput_errors", "failover_requests", "failover_failed", "error_rate", "failover_ms", "killed_ms"];
        var csvRows = runs.Select(r => (IReadOnlyList<string>)[r.Name.Replace(' ', '-'), LabPage.Invariant($"{r.Throughput.RequestsPerSecond:0.##}"), LabPage.Invariant($"{r.Throughput.MeanMs:0.###}"),
            LabPage.Invariant($"{r.Throughput.P50Ms:0.###}"), LabPage.Invariant($"{r.Throughput.Percentile(0.9):0.###}"), LabPage.Invariant($"{r.Throughput.P99Ms:0.###}"),
            LabPage.Invariant($"{r.Throughput.Errors}"), LabPage.Invariant($"{r.Failover.Count}"), LabPage.Invariant($"{r.Failed}"), LabPage.Invariant($"{r.ErrorRate:0.####}"),
            LabPage.Invariant($"{r.FailoverMs(phase):0.#}"), LabPage.Invariant($"{r.KilledMs:0.#}")]);
        var names = runs.Select(r => r.Name).ToList();
        return new LabPage("challenge", started, took, settings.Short, verdict)
            .Section("Setup", LabPage.Invariant($"""
                <p>Two Kestrel backends ({Workers} workers at {ServiceTime.TotalMilliseconds:0} ms a request: at most about 200 requests/s each). Three modes, each
                with fresh backends and a fresh Fulcrum balancer that has both listeners: <b>{Direct}</b>, the clients talk to b1 straight;
                <b>{L4}</b>, through a <code>tcp</code> listener whose round-robin pool relays each connection (active tcp checks every 250 ms,
                two connect retries); <b>{L7}</b>, through an <code>http</code> listener whose routes match the path (a prefix route, then a
                default) to a round-robin pool (active <code>/health</code> checks every 250 ms). Each mode has two phases. Throughput:
                {Clients} closed-loop clients for {times.Throughput.TotalSeconds:0} s (after an unreported 0.5 s warm-up): requests/s and latency. Failover:
                an open-loop load of {FailoverRate:0} requests/s for {times.Failover.TotalSeconds:0} s, and at {times.Kill.TotalSeconds:0} s b1 is killed: the error rate of
                that phase, and the failover time, from the kill to the end of the last failed request ("never" when requests still
                failed in its last second).</p>
                """))
            .Section("What the seeds claim", "")
            .Claim(SeedFile, SeedClaim, "Performance Analysis Challenge")
            .Section("What was measured", "")
            .Table(header, rows)
            .Figure(SvgChart.Bars("requests per second (throughput phase)", "requests/s", names, [.. runs.Select(r => r.Throughput.RequestsPerSecond)]))
            .Figure(SvgChart.Bars("p99 latency (throughput phase)", "ms", names, [.. runs.Select(r => r.Throughput.P99Ms)]))
            .Figure(SvgChart.Bars("error rate when a server dies (failover phase)", "%", names, [.. runs.Select(r => r.ErrorRate * 100)]))
            .Figure(SvgChart.Lines("failed requests per 100 ms (failover phase)", "failed", [.. runs.Select(r => (r.Name, HealthScenario.PerBucket(r.Failover, 100, s => s.IsError)))]))
            .Section("How to read it", """
                <p>Straight to one server the clients get one server's capacity, and when it dies every request fails until it
                comes back: there is nothing to fail over to. Either balancer doubles the capacity with the second server and
                turns the death into a short burst of errors: the requests inside b1 (and, for L4, on connections relayed to it)
                are cut, and new ones go to b2 as soon as a connect is refused or the checks mark b1 down. L4 relays bytes and
                balances connections, so a client's keep-alive connection stays on one backend; L7 reads each request, so it
                balances requests and can route by path, at the price of parsing HTTP. On one machine whose 2 CPUs run the
                clients, the balancer and the backends alike, the balancers' own cost shows in the latency of each request
                more than in the requests/s, which the backends' capacity bounds.</p>
                """)
            .Data("summary.csv", LabCsv.Table(csvHeader, csvRows), "per mode: throughput phase (requests/s, mean, p50, p90, p99) and failover phase (requests, failed, error rate, failover ms, and when the kill of b1 began, in ms since the phase began)")
            .Data("requests.csv", LabCsv.Requests(runs.SelectMany(r => new[] { (r.Name + " throughput", r.Throughput.Requests), (r.Name + " failover", r.Failover) })), "every request of both phases")
            .Save(settings.OutputDirectory);
    }
}
