using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.Hosting;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Lab;

/// <summary>
/// `overload`: backends with a real capacity (workers × service time, a FIFO queue before the workers, and abandoned
/// requests still served in their turn) behind a real Fulcrum listener, offered three times what they can serve by an
/// open-loop load whose clients give up after a deadline. Run twice: the pool as it is, then with
/// `adaptive-concurrency`. Without shedding the backends' queues grow past the clients' patience and goodput collapses;
/// with it the pool admits what the backends can serve and refuses the rest at once (docs/protection.md).
/// </summary>
public sealed class OverloadScenario : ILabScenario
{
    public const string ListenerName = LabConfig.ListenerName;
    public const string PoolName = LabConfig.PoolName;

    /// <summary>The two runs' names, in the report and the test.</summary>
    public const string NoShedding = "no shedding";

    public const string Shedding = "adaptive-concurrency";

    /// <summary>Offered load over capacity.</summary>
    public const double Overload = 3.0;

    /// <summary>The setup of one size of run.</summary>
    public sealed record Size(int Backends, int Workers, TimeSpan ServiceTime, TimeSpan WarmUp, TimeSpan Measure)
    {
        /// <summary>Requests per second the backends serve at most, as asked (timer ticks make them a little slower).</summary>
        public double NominalCapacity => Backends * Workers / ServiceTime.TotalSeconds;

        public double OfferedRate => NominalCapacity * Overload;

        public TimeSpan Duration => WarmUp + Measure;

        /// <summary>A client gives up after 20 service times: an answer after it is no use to anyone.</summary>
        public TimeSpan Deadline => ServiceTime * 20;

        /// <summary>
        /// Envoy's defaults but two, as docs/protection.md advises. A window of 5 service times, so it sees the requests
        /// it admitted: with Envoy's 100 ms on 100 ms backends the limit overshot (7 to 40) and the p99 rose to 300 to
        /// 680 ms. And min-concurrency at one backend's workers, under what the pool serves at once, so the minRTT is
        /// still measured without queueing while the measurement admits more than 3 at a time.
        /// </summary>
        public string SheddingBlock => string.Create(CultureInfo.InvariantCulture,
            $"adaptive-concurrency: {{ interval: {(ServiceTime * 5).TotalMilliseconds:0}ms, min-concurrency: {Workers} }}");
    }

    /// <summary>
    /// The short mode, which the end-to-end test uses too: 100 requests/s of capacity, 300 offered, so neither the load
    /// generator nor the balancer comes near the CPU on a busy 2-core machine. Requests of 200 ms (deadline 4 s), so a
    /// stall of that whole machine, which delays every process by up to a second at times, stays small beside them.
    /// The warm-up covers the first minRTT measurement (50 requests, 10 at a time) and the limit's climb.
    /// </summary>
    public static readonly Size Small = new(2, 10, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(8));

    /// <summary>
    /// The full size: the short mode's backends and rates, measured for 24 s instead of 8. Not more load: without
    /// shedding every request the backends have not served yet holds its connections open (abandoned ones are still
    /// served in their turn), so the open file descriptors grow with (offered - capacity) x time, about 1.8 a request.
    /// The former full size (800 requests/s of capacity, 2,400 offered) reached the 20,000 a process may hold here within
    /// 5 s and the run died; 200 a second for 30 s stays near 11,000, and two 30 s runs fit the 2 minutes with margin.
    /// </summary>
    public static readonly Size Full = Small with { Measure = TimeSpan.FromSeconds(24) };

    public string Name => "overload";

    public string Summary => "backends offered 3x their capacity, without and with adaptive concurrency (goodput, p99 of what was served, shed and lost)";

    public async Task<string> RunAsync(LabSettings settings, CancellationToken cancellationToken)
    {
        var size = settings.Short ? Small : Full;
        var started = DateTimeOffset.UtcNow;
        var total = Stopwatch.StartNew();
        using var loggerFactory = HostLogging.Create(LogLevel.Warning);
        var runs = new List<OverloadRun>();
        foreach (var shedding in new[] { false, true })
        {
            var name = shedding ? Shedding : NoShedding;
            await Console.Out.WriteLineAsync(Invariant($"{name}: {size.OfferedRate:0} requests/s offered to {size.NominalCapacity:0} requests/s of capacity for {size.Duration.TotalSeconds:0} s"));
            runs.Add(await MeasureAsync(name, shedding, size, loggerFactory, cancellationToken));
        }

        var result = new OverloadResult(started, total.Elapsed, settings.Short, size, runs);
        var report = OverloadReport.Write(settings.OutputDirectory, result);
        await Console.Out.WriteLineAsync(OverloadReport.Verdict(result));
        return report;
    }

    /// <summary>Backends for one run: fresh ones, so the dead work one run leaves in their queues does not slow the next.</summary>
    public static async Task<List<LabBackend>> StartBackendsAsync(Size size, CancellationToken cancellationToken)
    {
        var backends = new List<LabBackend>();
        for (var i = 0; i < size.Backends; i++)
        {
            backends.Add(await LabBackend.StartAsync($"b{i + 1}", size.ServiceTime, size.Workers, cancellationToken, finishesAbandoned: true));
        }

        return backends;
    }

    /// <summary>The config: one route to one round-robin pool, with or without `adaptive-concurrency` (Envoy's defaults).</summary>
    public static string ConfigText(IReadOnlyList<LabBackend> backends, Size size, bool shedding) =>
        shedding ? LabConfig.Text("round-robin", backends, size.SheddingBlock) : LabConfig.Text("round-robin", backends);

    private static async Task<OverloadRun> MeasureAsync(string name, bool shedding, Size size, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var backends = await StartBackendsAsync(size, cancellationToken);
        try
        {
            var loaded = ConfigLoader.LoadText(ConfigText(backends, size, shedding), "<lab overload>");
            if (!loaded.IsValid) throw new InvalidOperationException("lab config is invalid: " + string.Join("; ", loaded.Errors));
            await using var host = new BalancerHost(loaded.Config!, loggerFactory);
            await host.StartAsync(cancellationToken, watchConfigFile: false);
            var url = new Uri($"http://{host.Http.BoundEndpoints[ListenerName]}/");
            using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var limits = SampleLimitAsync(host, stopSampling.Token);
            var requests = await new OpenLoopLoad(url, size.OfferedRate, size.Duration, size.Deadline).RunAsync(cancellationToken);
            await stopSampling.CancelAsync();
            var run = new OverloadRun(name, requests, size.WarmUp, size.Duration, backends.Sum(b => b.Capacity)) { Limits = await limits };
            await host.StopAsync(TimeSpan.FromSeconds(5));
            return run;
        }
        finally
        {
            foreach (var backend in backends) await backend.DisposeAsync();
        }
    }

    /// <summary>Interval of the samples of the pool's adaptive limit and requests in flight.</summary>
    public static readonly TimeSpan LimitSampleInterval = TimeSpan.FromMilliseconds(100);

    // The adaptive limit and the requests in flight under it, read from the pool's live counters as the admin API does.
    private static async Task<List<LimitSample>> SampleLimitAsync(BalancerHost host, CancellationToken stop)
    {
        var samples = new List<LimitSample>();
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(LimitSampleInterval);
        try
        {
            do
            {
                if (host.Store.Current.Pools[PoolName].Admission is { Concurrency: { } limit } admission)
                    samples.Add(new LimitSample(clock.Elapsed.TotalMilliseconds, limit.Limit, admission.Limited, limit.Measuring));
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }

        return samples;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
