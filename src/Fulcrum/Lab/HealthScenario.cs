using System.Diagnostics;
using Fulcrum.Core.Model;
using Fulcrum.Hosting;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Lab;

/// <summary>
/// `health`: three backends behind a pool with active health checks; an open-loop load runs while one backend is
/// killed (its port refuses, requests in it are cut) and later restarted on the same port. Measured twice, without
/// retries and with them: how long the balancer took to find it down and up again, and how many requests failed.
/// </summary>
internal sealed class HealthScenario : ILabScenario
{
    public const string SeedFile = "000_86317d2bbfb3e9f7.txt";
    public const string SeedClaim = "Health Check: Background loop pings servers (/health). If 404/Timeout, remove from rotation.";
    public const string SecondSeedFile = "001_aeb21eb298e2ce43.txt";
    public const string SecondSeedClaim = "Health check types: 1. Passive: Remove server after failed requests 2. Active: Periodically ping /health endpoint";

    public const string Victim = "b1";
    public const string NoRetries = "no retries";
    public const string Retries = "retries";
    public const string ActiveOnly = "active checks only";

    /// <summary>The active check: a probe every 250 ms, two failures take a backend down, two passes bring it back.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    public const int Fall = 2;
    public const int Rise = 2;

    public const double Rate = 150;

    public static readonly TimeSpan ServiceTime = TimeSpan.FromMilliseconds(10);

    /// <summary>When the backend is killed and restarted, and how long the load runs, from the load's start.</summary>
    public sealed record Timeline(TimeSpan Kill, TimeSpan Restart, TimeSpan End);

    public static Timeline Times(bool isShort) => isShort
        ? new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(7))
        : new(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));

    public string Name => "health";

    public string Summary => "a backend killed and restarted under load: time to find it down and up, failed requests, without and with retries";

    public static string ConfigText(IReadOnlyList<LabBackend> backends, bool retries, bool passive = true) => LabConfig.Text("round-robin", backends,
        LabPage.Invariant($"health: {{ active: {{ path: /health, interval: {Interval.TotalMilliseconds:0}ms, timeout: 200ms, rise: {Rise}, fall: {Fall} }}{(passive ? "" : ", passive: { consecutive-failures: 0 }")} }}"),
        retries ? "retries: { attempts: 3, on: [connect-failure, 502, 503] }" : "retries: { attempts: 1 }");

    public async Task<string> RunAsync(LabSettings settings, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var total = Stopwatch.StartNew();
        using var loggerFactory = HostLogging.Create(LogLevel.Error);
        var times = Times(settings.Short);
        var runs = new List<HealthRun>();
        runs.Add(await MeasureAsync(ActiveOnly, retries: false, passive: false, times, loggerFactory, cancellationToken));
        foreach (var retries in new[] { false, true })
        {
            runs.Add(await MeasureAsync(retries ? Retries : NoRetries, retries, passive: true, times, loggerFactory, cancellationToken));
        }

        var verdict = Verdict(runs);
        await Console.Out.WriteLineAsync(verdict);
        return Report(settings, started, total.Elapsed, times, runs, verdict);
    }

    public static string Verdict(IReadOnlyList<HealthRun> runs)
    {
        var active = runs.First(r => r.Name == ActiveOnly);
        var without = runs.First(r => r.Name == NoRetries);
        var with = runs.First(r => r.Name == Retries);
        var bound = (Interval * (Fall + 1)).TotalMilliseconds + 500; // the probes' worth plus room for a busy machine
        var figures = LabPage.Invariant($"active checks alone found the killed backend down {active.DetectMs:0} ms after the kill ({active.Failed} failed requests); with passive checks too it was found down {without.DetectMs:0} / {with.DetectMs:0} ms after the kill and up {without.ReturnMs:0} / {with.ReturnMs:0} ms after the restart (without / with retries); {without.Failed} failed requests without retries, {with.Failed} with");
        var holds = active.DetectMs <= bound && active.ReturnMs <= bound + Interval.TotalMilliseconds && without.DetectMs <= bound && with.DetectMs <= bound
            && without.ReturnMs <= bound + Interval.TotalMilliseconds && with.ReturnMs <= bound + Interval.TotalMilliseconds
            && with.Failed < without.Failed && without.ServedAfterReturn(Victim) > 0 && with.ServedAfterReturn(Victim) > 0;
        return holds ? $"The measurement agrees with the claim: {figures}." : $"The measurement does NOT show the claim on this machine: {figures}.";
    }

    private static async Task<HealthRun> MeasureAsync(string name, bool retries, bool passive, Timeline times, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var backends = new List<LabBackend>();
        try
        {
            for (var i = 1; i <= 3; i++) backends.Add(await LabBackend.StartAsync($"b{i}", ServiceTime, 10, cancellationToken));
            await using var host = await LabBalancer.StartAsync(ConfigText(backends, retries, passive), "health", loggerFactory, cancellationToken);
            var load = new OpenLoopLoad(LabBalancer.Url(host), Rate, times.End, TimeSpan.FromSeconds(2));
            var origin = Stopwatch.GetTimestamp();
            var requests = load.RunAsync(cancellationToken);
            double Now() => Stopwatch.GetElapsedTime(origin).TotalMilliseconds;
            HealthStatus Health() => host.Store.Current.Pools[LabConfig.PoolName].Backends.First(b => b.Id == Victim).Health;

            await Task.Delay(times.Kill, cancellationToken);
            var victim = backends[0];
            await victim.KillAsync();
            var killed = Now();
            var down = await WhenAsync(() => Health() == HealthStatus.Down, times.Restart, origin, cancellationToken) ? Now() : double.NaN;
            var reason = host.Store.Current.Pools[LabConfig.PoolName].Backends.First(b => b.Id == Victim).HealthDetail.DownReason ?? "";
            var wait = times.Restart - Stopwatch.GetElapsedTime(origin);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancellationToken);
            await victim.RestartAsync(cancellationToken);
            var restarted = Now();
            var up = await WhenAsync(() => Health() == HealthStatus.Up, times.End, origin, cancellationToken) ? Now() : double.NaN;
            var run = new HealthRun(name, await requests, killed, down, restarted, up, reason);
            await Console.Out.WriteLineAsync(LabPage.Invariant($"{name}: {run.Requests.Count} requests, {run.Failed} failed; down after {run.DetectMs:0} ms, up after {run.ReturnMs:0} ms"));
            await host.StopAsync(TimeSpan.FromSeconds(5));
            return run;
        }
        finally
        {
            foreach (var backend in backends) await backend.DisposeAsync();
        }
    }

    // Polls every 5 ms until the condition holds or the run reaches `until`: the time it held is the measurement.
    private static async Task<bool> WhenAsync(Func<bool> condition, TimeSpan until, long origin, CancellationToken cancellationToken)
    {
        while (Stopwatch.GetElapsedTime(origin) < until)
        {
            if (condition()) return true;
            await Task.Delay(5, cancellationToken);
        }

        return condition();
    }

    private static string Report(LabSettings settings, DateTimeOffset started, TimeSpan took, Timeline times, List<HealthRun> runs, string verdict)
    {
        string Ms(double v) => double.IsNaN(v) ? "never" : LabPage.Invariant($"{v:0}");
        string[] header = ["run", "requests", "failed", "failed around the crash", "found down after ms", "back in rotation after ms", "answered by b1 after its return", "found down by"];
        var rows = runs.Select(r => (IReadOnlyList<string>)[r.Name, LabPage.Invariant($"{r.Requests.Count}"), LabPage.Invariant($"{r.Failed}"),
            LabPage.Invariant($"{r.FailedAroundTheCrash}"), Ms(r.DetectMs), Ms(r.ReturnMs), LabPage.Invariant($"{r.ServedAfterReturn(Victim)}"), r.DownReason]).ToList();
        string[] csvHeader = ["run", "requests", "failed", "failed_after_kill", "killed_ms", "down_ms", "restarted_ms", "up_ms", "detect_ms", "return_ms", "served_by_victim_after_return", "down_reason"];
        var csvRows = runs.Select(r => (IReadOnlyList<string>)[r.Name, LabPage.Invariant($"{r.Requests.Count}"), LabPage.Invariant($"{r.Failed}"), LabPage.Invariant($"{r.FailedAfterTheKill}"),
            LabPage.Invariant($"{r.KilledMs:0.#}"), LabPage.Invariant($"{r.DownMs:0.#}"), LabPage.Invariant($"{r.RestartedMs:0.#}"), LabPage.Invariant($"{r.UpMs:0.#}"),
            LabPage.Invariant($"{r.DetectMs:0.#}"), LabPage.Invariant($"{r.ReturnMs:0.#}"), LabPage.Invariant($"{r.ServedAfterReturn(Victim)}"), r.DownReason.Replace(',', ';')]);
        return new LabPage("health", started, took, settings.Short, verdict)
            .Section("Setup", LabPage.Invariant($"""
                <p>Three Kestrel backends (10 workers, {ServiceTime.TotalMilliseconds:0} ms a request) behind a fresh Fulcrum balancer per run, one
                round-robin pool with <code>health.active</code> every {Interval.TotalMilliseconds:0} ms on <code>/health</code>, fall {Fall}, rise {Rise},
                and the default passive checks (5 failures in a row eject). An open-loop load of {Rate:0} requests/s for
                {times.End.TotalSeconds:0} s (each gives up after 2 s). At {times.Kill.TotalSeconds:0.#} s backend {Victim} is killed: its port refuses
                connections and the requests in it are cut without an answer. At {times.Restart.TotalSeconds:0.#} s it starts again on the same port.
                Run three times: with active checks alone (<code>passive: &#123; consecutive-failures: 0 &#125;</code>) and no retries; with the
                passive checks too and <code>retries: &#123; attempts: 1 &#125;</code> (no retries); and with both checks and
                <code>retries: &#123; attempts: 3, on: [connect-failure, 502, 503] &#125;</code>. The lab polls the pool's health state every 5 ms.</p>
                """))
            .Section("What the seeds claim", "")
            .Claim(SeedFile, SeedClaim, "3. The Implementation: Weighted Round Robin + Health Checks")
            .Claim(SecondSeedFile, SecondSeedClaim, "Health Checks")
            .Section("What was measured", "")
            .Table(header, rows)
            .Figure(SvgChart.Lines("failed requests per 100 ms of start", "failed", [.. runs.Select(r => (r.Name, PerBucket(r.Requests, 100, s => s.IsError)))]))
            .Figure(SvgChart.Lines("requests answered by b1 per 100 ms of start", "answered", [.. runs.Select(r => (r.Name, PerBucket(r.Requests, 100, s => !s.IsError && s.Backend == Victim)))]))
            .Section("How to read it", LabPage.Invariant($"""
                <p>Between the kill and the moment the pool marks {Victim} down, round robin still sends it a third of the requests.
                Without retries each of those fails (a refused connection is a 502), and so does every request that was in
                {Victim} when it died. The active check needs {Fall} failed probes {Interval.TotalMilliseconds:0} ms apart; passive checks
                (outlier detection on the real requests) eject it after 5 failures in a row, which at a third of {Rate:0} requests/s is
                about 100 ms, and so usually first: the "found down by" column says which did. With retries a refused connection is tried on another backend, so only
                the requests cut mid-way can still fail (a response that never came cannot be replayed safely once the
                request was sent, unless the method is idempotent and the balancer chooses to). After the restart {Rise} passing
                probes bring {Victim} back and it takes its third again.</p>
                """))
            .Data("summary.csv", LabCsv.Table(csvHeader, csvRows), "per run: requests, failures, and when the backend was killed, found down, restarted and found up (ms since the load began)")
            .Data("requests.csv", LabCsv.Requests(runs.Select(r => (r.Name, r.Requests))), "every request (start, latency, backend, status; 0 is no answer)")
            .Save(settings.OutputDirectory);
    }

    /// <summary>A count per bucket of <paramref name="bucketMs"/> by start time, as chart points in seconds.</summary>
    public static IReadOnlyList<(double X, double Y)> PerBucket(IReadOnlyList<RequestSample> requests, double bucketMs, Func<RequestSample, bool> counted)
    {
        if (requests.Count == 0) return [];
        var last = (int)(requests.Max(r => r.StartMs) / bucketMs);
        var counts = new double[last + 1];
        foreach (var r in requests) if (counted(r)) counts[(int)(r.StartMs / bucketMs)]++;
        return [.. counts.Select((c, i) => (i * bucketMs / 1000, c))];
    }
}
