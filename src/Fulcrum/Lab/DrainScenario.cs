using System.Diagnostics;
using Fulcrum.Hosting;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Lab;

/// <summary>
/// `drain`: a deploy of one of three backends under open-loop load of long requests, done two ways: the old process
/// killed and the new one started, or the backend drained through Fulcrum first (no new work, the work in flight
/// finishes), then stopped, replaced and put back. The errors each way are the measurement.
/// </summary>
internal sealed class DrainScenario : ILabScenario
{
    public const string SeedFile = "000_86317d2bbfb3e9f7.txt";
    public const string SeedClaim = "Scenario: You need to upgrade Server A. You just kill it. Result: 1000 active users get 502 Bad Gateway. Fix: Enable \"Draining\". LB stops sending new requests to A, but allows existing connections to finish (e.g., wait 30s) before killing the node.";

    public const string Kill = "kill";
    public const string Drain = "drain";
    public const string Victim = "b1";

    /// <summary>Long requests, so a backend always has work in flight when it is stopped.</summary>
    public static readonly TimeSpan ServiceTime = TimeSpan.FromMilliseconds(500);

    public const int Workers = 20;

    public const double Rate = 60;

    /// <summary>How long the new version takes to start: the same both ways.</summary>
    public static readonly TimeSpan Startup = TimeSpan.FromSeconds(1);

    public sealed record Timeline(TimeSpan Deploy, TimeSpan End);

    public static Timeline Times(bool isShort) => isShort ? new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6)) : new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(25));

    public string Name => "drain";

    public string Summary => "a backend replaced under load of 500 ms requests: killed, or drained first (failed requests each way)";

    public static string ConfigText(IReadOnlyList<LabBackend> backends) => LabConfig.Text("round-robin", backends,
        "health: { active: { path: /health, interval: 250ms, timeout: 200ms, rise: 2, fall: 2 } }", "drain-timeout: 10s");

    public async Task<string> RunAsync(LabSettings settings, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var total = Stopwatch.StartNew();
        using var loggerFactory = HostLogging.Create(LogLevel.Error);
        var times = Times(settings.Short);
        var runs = new List<DrainRun>();
        foreach (var drain in new[] { false, true }) runs.Add(await MeasureAsync(drain, times, loggerFactory, cancellationToken));
        var verdict = Verdict(runs);
        await Console.Out.WriteLineAsync(verdict);
        return Report(settings, started, total.Elapsed, times, runs, verdict);
    }

    public static string Verdict(IReadOnlyList<DrainRun> runs)
    {
        var kill = runs.First(r => r.Name == Kill);
        var drain = runs.First(r => r.Name == Drain);
        var figures = LabPage.Invariant($"killing failed {kill.Failed} requests ({kill.InFlightAtStop} were in the backend when it stopped), draining first failed {drain.Failed} ({drain.InFlightAtStop} in it when it stopped); the deploy took {kill.DeploySeconds:0.0} s and {drain.DeploySeconds:0.0} s");
        return kill.Failed > 0 && drain.Failed == 0
            ? $"The measurement agrees with the claim: {figures}."
            : $"The measurement does NOT show the claim on this machine: {figures}.";
    }

    private static async Task<DrainRun> MeasureAsync(bool drain, Timeline times, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var name = drain ? Drain : Kill;
        var backends = new List<LabBackend>();
        try
        {
            for (var i = 1; i <= 3; i++) backends.Add(await LabBackend.StartAsync($"b{i}", ServiceTime, Workers, cancellationToken));
            await using var host = await LabBalancer.StartAsync(ConfigText(backends), "drain", loggerFactory, cancellationToken);
            var pool = () => host.Store.Current.Pools[LabConfig.PoolName];
            var load = new OpenLoopLoad(LabBalancer.Url(host), Rate, times.End, TimeSpan.FromSeconds(5));
            var origin = Stopwatch.GetTimestamp();
            var requests = load.RunAsync(cancellationToken);
            double Now() => Stopwatch.GetElapsedTime(origin).TotalMilliseconds;
            int Active() => (int)pool().Backends.First(b => b.Id == Victim).Stats.Active;

            await Task.Delay(times.Deploy, cancellationToken);
            var deploy = Now();
            if (drain)
            {
                var drained = host.Operations.Drain(LabConfig.PoolName, Victim);
                if (!drained.Ok) throw new InvalidOperationException("drain refused: " + drained.Message);
                // In flight finishes: at most one service time plus a queue's worth, bounded by the run.
                while (Active() > 0 && Stopwatch.GetElapsedTime(origin) < times.End) await Task.Delay(10, cancellationToken);
            }

            var inFlight = Active();
            await backends[0].KillAsync();
            var stopped = Now();
            await Task.Delay(Startup, cancellationToken);
            await backends[0].RestartAsync(cancellationToken);
            if (drain)
            {
                var ready = host.Operations.Ready(LabConfig.PoolName, Victim);
                if (!ready.Ok) throw new InvalidOperationException("ready refused: " + ready.Message);
            }

            // Back: the new process answered a request through the balancer.
            var served = backends[0].Served;
            while (backends[0].Served == served && Stopwatch.GetElapsedTime(origin) < times.End) await Task.Delay(5, cancellationToken);
            var back = backends[0].Served > served ? Now() : double.NaN;
            var run = new DrainRun(name, await requests, deploy, stopped, back, inFlight);
            await Console.Out.WriteLineAsync(LabPage.Invariant($"{name}: {run.Requests.Count} requests, {run.Failed} failed, {inFlight} in the backend when it stopped"));
            await host.StopAsync(TimeSpan.FromSeconds(5));
            return run;
        }
        finally
        {
            foreach (var backend in backends) await backend.DisposeAsync();
        }
    }

    private static string Report(LabSettings settings, DateTimeOffset started, TimeSpan took, Timeline times, List<DrainRun> runs, string verdict)
    {
        string[] header = ["approach", "requests", "failed", "in the backend when stopped", "deploy took s", "p99 ms"];
        static double P99(DrainRun r)
        {
            var ok = r.Requests.Where(x => !x.IsError).Select(x => x.LatencyMs).Order().ToArray();
            return ok.Length == 0 ? 0 : ok[Math.Clamp((int)Math.Ceiling(0.99 * ok.Length) - 1, 0, ok.Length - 1)];
        }

        var rows = runs.Select(r => (IReadOnlyList<string>)[r.Name, LabPage.Invariant($"{r.Requests.Count}"), LabPage.Invariant($"{r.Failed}"),
            LabPage.Invariant($"{r.InFlightAtStop}"), LabPage.Invariant($"{r.DeploySeconds:0.0}"), LabPage.Invariant($"{P99(r):0}")]).ToList();
        string[] csvHeader = ["approach", "requests", "failed", "in_flight_at_stop", "deploy_ms", "stopped_ms", "back_ms", "p99_ms"];
        var csvRows = runs.Select(r => (IReadOnlyList<string>)[r.Name, LabPage.Invariant($"{r.Requests.Count}"), LabPage.Invariant($"{r.Failed}"),
            LabPage.Invariant($"{r.InFlightAtStop}"), LabPage.Invariant($"{r.DeployMs:0.#}"), LabPage.Invariant($"{r.StoppedMs:0.#}"), LabPage.Invariant($"{r.BackMs:0.#}"), LabPage.Invariant($"{P99(r):0.#}")]);
        return new LabPage("drain", started, took, settings.Short, verdict)
            .Section("Setup", LabPage.Invariant($"""
                <p>Three Kestrel backends ({Workers} workers, {ServiceTime.TotalMilliseconds:0} ms a request) behind a fresh Fulcrum balancer per
                approach: one round-robin pool with active health checks every 250 ms and <code>drain-timeout: 10s</code>, and the default
                retries (one more try on a refused connection). An open-loop load of {Rate:0} requests/s for {times.End.TotalSeconds:0} s,
                so about {Rate / 3 * ServiceTime.TotalSeconds:0} requests are in each backend at any time. At {times.Deploy.TotalSeconds:0} s backend {Victim} is
                deployed: <b>kill</b> stops the old process at once; <b>drain</b> first asks Fulcrum to drain it
                (<code>POST /api/pools/lab/backends/b1/drain</code>, here the same operation in the process), waits until its in-flight
                count is 0, then stops it. Either way the new version takes {Startup.TotalSeconds:0} s to start on the same port; after a
                drain it is put back with <code>.../ready</code>, after a kill the health checks find it.</p>
                """))
            .Section("What the seeds claim", "")
            .Claim(SeedFile, SeedClaim, "C. Connection Draining")
            .Section("What was measured", "")
            .Table(header, rows)
            .Figure(SvgChart.Bars("failed requests per approach", "failed", [.. runs.Select(r => r.Name)], [.. runs.Select(r => (double)r.Failed)]))
            .Figure(SvgChart.Lines("requests answered by b1 per 250 ms of start", "answered", [.. runs.Select(r => (r.Name, HealthScenario.PerBucket(r.Requests, 250, s => !s.IsError && s.Backend == Victim)))]))
            .Section("How to read it", """
                <p>Killing the backend cuts every request in it: those clients get an error (a 502 from the balancer, which cannot
                replay a request the backend may have acted on). Requests that arrive after the kill meet a refused
                connection, which the balancer retries on another backend, so they do not fail. Draining stops new requests
                first; the ones in flight finish within a service time, and the process is stopped empty, so nobody sees an
                error. The price is the deploy's length: the drain waits for the slowest request in flight.</p>
                """)
            .Data("summary.csv", LabCsv.Table(csvHeader, csvRows), "per approach: requests, failed, in flight at the stop, and when the deploy began, the old process stopped and the new one served (ms since the load began)")
            .Data("requests.csv", LabCsv.Requests(runs.Select(r => (r.Name, r.Requests))), "every request (start, latency, backend, status; 0 is no answer)")
            .Save(settings.OutputDirectory);
    }
}
