using System.Diagnostics;

namespace Fulcrum.Bench.Soak;

/// <summary>
/// One chaos soak: backends, the real fulcrum process, steady mixed load and the <see cref="Chaos"/> for the set time;
/// then the load stops, in-flight work finishes, and every lease must be released. Writes soak.csv, fulcrum.log and
/// the config under <see cref="SoakOptions.OutDir"/>.
/// </summary>
public static class Soak
{
    // The workers and their pace: about 400 requests, connections and datagrams a second in all at rate 1, a steady
    // load that leaves a busy 2-core machine room for the chaos and the sampling.
    private static readonly (Channel Channel, int Workers, double PerSecond)[] Load =
    [
        (Channel.Http, 4, 40),
        (Channel.Https1, 2, 30),
        (Channel.Https2, 2, 30),
        (Channel.Tcp, 2, 20),
        (Channel.Udp, 2, 40),
    ];

    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(60);
    // UDP sessions keep their lease until session-timeout (5 s) after their last datagram; the rest is slack for a busy machine.
    private static readonly TimeSpan LeaseDeadline = TimeSpan.FromSeconds(60);

    public static async Task<SoakResult> RunAsync(SoakOptions options, Action<string> log)
    {
        Directory.CreateDirectory(options.OutDir);
        var configDir = Path.Combine(options.OutDir, "config");
        Directory.CreateDirectory(configDir);
        var configPath = Path.Combine(configDir, "fulcrum.yaml");
        var certificates = new CertificateFiles(Path.Combine(options.OutDir, "certs"));
        certificates.Rotate();

        var ports = SoakPorts.Choose();
        var web = new List<ISoakBackend>();
        var stream = new List<ISoakBackend>();
        var datagram = new List<ISoakBackend>();
        for (var i = 0; i < SoakPorts.BackendsPerPool; i++)
        {
            web.Add(await HttpSoakBackend.StartAsync(SoakConfig.BackendName("web", i), ports.Web[i]));
            stream.Add(await TcpSoakBackend.StartAsync(SoakConfig.BackendName("tcp", i), ports.Stream[i]));
            datagram.Add(await UdpSoakBackend.StartAsync(SoakConfig.BackendName("udp", i), ports.Datagram[i]));
        }

        void WriteConfig(int reload)
        {
            // Beside the file and renamed over it, as editors save: Fulcrum reads either the old or the new file, never half.
            var next = Path.Combine(configDir, ".fulcrum.yaml.next");
            File.WriteAllText(next, SoakConfig.Variant(reload, ports, certificates.CertPath, certificates.KeyPath));
            File.Move(next, configPath, overwrite: true);
        }

        WriteConfig(0);
        var fulcrum = FulcrumUnderTest.Start(options.FulcrumDll, configPath, Path.Combine(options.OutDir, "fulcrum.log"));
        using var admin = new AdminClient(ports.Admin);
        var backends = web.Concat(stream).Concat(datagram).ToList();
        try
        {
            await WaitForStartAsync(fulcrum, admin);
            log($"fulcrum pid {fulcrum.Pid} serving: http :{ports.Http}, https :{ports.Https}, tcp :{ports.Tcp}, udp :{ports.Udp}, admin :{ports.Admin}");

            var clock = Stopwatch.StartNew();
            TimeSpan Now() => clock.Elapsed;
            var kills = new KillLog();
            var tally = new Tally(kills, Now);
            var sampler = new Sampler(fulcrum.Pid, admin, tally, Now, Path.Combine(options.OutDir, "soak.csv"));
            using var sampling = new CancellationTokenSource();
            var samplerTask = sampler.RunAsync(sampling.Token);

            using var loadStop = new CancellationTokenSource();
            using var http = new HttpLoad(Channel.Http, ports.Http, certificates, tally, Now);
            using var https1 = new HttpLoad(Channel.Https1, ports.Https, certificates, tally, Now);
            using var https2 = new HttpLoad(Channel.Https2, ports.Https, certificates, tally, Now);
            var tcp = new TcpLoad(ports.Tcp, tally, Now);
            var udp = new UdpLoad(ports.Udp, tally, Now);
            var workers = new List<Task>();
            foreach (var (channel, count, perSecond) in Load)
            {
                var period = TimeSpan.FromSeconds(1 / (perSecond * options.Rate));
                for (var w = 0; w < count; w++)
                {
                    var worker = w;
                    workers.Add(channel switch
                    {
                        Channel.Tcp => tcp.RunAsync(worker, period, loadStop.Token),
                        Channel.Udp => udp.RunAsync(worker, period, loadStop.Token),
                        Channel.Http => http.RunAsync(period, loadStop.Token),
                        Channel.Https1 => https1.RunAsync(period, loadStop.Token),
                        _ => https2.RunAsync(period, loadStop.Token),
                    });
                }
            }

            var chaos = new Chaos(
                [web[0], stream[0], datagram[0], web[1], stream[1], datagram[1]],
                [(SoakConfig.WebPool, web[2].Name), (SoakConfig.StreamPool, stream[2].Name), (SoakConfig.DatagramPool, datagram[2].Name)],
                admin, certificates, WriteConfig, kills, Now);
            var chaosTask = chaos.RunAsync(options.Duration, loadStop.Token);

            var progress = options.Progress ? ProgressAsync(options.Duration, tally, sampler, chaos, fulcrum, log, loadStop.Token) : Task.CompletedTask;
            await WaitForEndAsync(options.Duration, fulcrum);
            var lastLoadSecond = Now().TotalSeconds;
            loadStop.Cancel();
            sampler.Phase = "drain";
            var everything = Task.WhenAll([.. workers, chaosTask, progress]);
            var problems = new List<string>();
            if (await Task.WhenAny(everything, Task.Delay(StopDeadline)) != everything)
            {
                problems.Add($"the load and the chaos did not stop within {StopDeadline.TotalSeconds:F0} s");
            }

            if (fulcrum.HasExited) problems.Add("fulcrum exited during the soak (see fulcrum.log)");

            var leasesWhenStopped = (await admin.ActiveAsync())?.Values.Sum() ?? -1;
            var (leasesLeft, releasedAfter) = await WaitForLeasesAsync(admin);
            sampling.Cancel();
            await samplerTask;
            var exitCode = await fulcrum.StopAsync(StopDeadline);

            var samples = sampler.Samples;
            var (baseline, end, windows) = Growth.Windows(options.Duration, lastLoadSecond);
            var load = samples.Where(s => s.Phase == "load").ToList();
            double? checkedBound = options.GrowthCheck ? (options.Duration >= SoakOptions.LongRun ? LongBound : ShortBound) : null;
            Growth[] growths =
            [
                Growth.Of("RSS", "MiB", load, baseline, end, s => s.RssKib / 1024.0, checkedBound),
                Growth.Of("descriptors", "", load, baseline, end, s => s.Fds, checkedBound),
                Growth.Of("threads", "", load, baseline, end, s => s.Threads, null),
                Growth.Of("GC heap", "MiB", load, baseline, end, s => s.GcHeapBytes / 1048576.0, null),
            ];

            if (tally.AllFailedIdempotent > 0) problems.Add($"{tally.AllFailedIdempotent} idempotent requests failed");
            if (leasesLeft.Count > 0) problems.Add($"leases not released {LeaseDeadline.TotalSeconds:F0} s after the load stopped: {string.Join(", ", leasesLeft.Select(l => $"{l.Key} {l.Value}"))}");
            foreach (var g in growths.Where(g => g.Exceeded)) problems.Add($"{g.Resource} grew {g.Percent:F1}% ({windows}), more than {g.Bound}%");
            if (tally.AllOk == 0) problems.Add("no request succeeded: the soak proved nothing");
            if (fulcrum.ReloadsRejected > 0) problems.Add($"{fulcrum.ReloadsRejected} reloads rejected: the soak's own config is wrong");
            if (exitCode != 0) problems.Add(exitCode is null ? "fulcrum did not exit after SIGTERM" : $"fulcrum exited {exitCode} after SIGTERM");

            return new SoakResult
            {
                Options = options,
                Tally = tally,
                Samples = samples,
                Growths = growths,
                GrowthWindows = windows,
                Kills = chaos.Kills,
                ConfigWrites = chaos.ConfigWrites,
                ReloadsApplied = fulcrum.ReloadsApplied,
                ReloadsRejected = fulcrum.ReloadsRejected,
                Drains = chaos.Drains,
                AdminRefusals = chaos.AdminRefusals,
                Rotations = chaos.Rotations,
                CertificateReloads = fulcrum.CertificateReloads,
                CertificatesWritten = certificates.Written,
                CertificatesSeen = certificates.Seen,
                FulcrumWarnings = fulcrum.Warnings,
                FulcrumErrors = fulcrum.Errors,
                FulcrumProblems = fulcrum.Problems,
                LeasesWhenLoadStopped = leasesWhenStopped,
                LeasesLeft = leasesLeft,
                LeasesReleasedAfter = releasedAfter,
                ExitCode = exitCode,
                Problems = problems,
            };
        }
        finally
        {
            await fulcrum.DisposeAsync();
            foreach (var b in backends) await b.DisposeAsync();
        }
    }

    private static async Task WaitForStartAsync(FulcrumUnderTest fulcrum, AdminClient admin)
    {
        var clock = Stopwatch.StartNew();
        while (!await admin.HealthyAsync())
        {
            if (fulcrum.HasExited) throw new InvalidOperationException("fulcrum exited before it served (see fulcrum.log)");
            if (clock.Elapsed > StartDeadline) throw new TimeoutException($"fulcrum did not serve within {StartDeadline.TotalSeconds:F0} s (see fulcrum.log)");
            await Task.Delay(100);
        }
    }

    /// <summary>The soak's set time, cut short if Fulcrum dies (nothing would be learned from the rest).</summary>
    private static async Task WaitForEndAsync(TimeSpan duration, FulcrumUnderTest fulcrum)
    {
        var clock = Stopwatch.StartNew();
        while (!fulcrum.HasExited)
        {
            // The clock read once: read twice, a thread preempted between the reads (a busy CI machine) got a negative
            // wait, and Task.Delay takes one between -1 and -2 ms as -1, that is forever (the soak test hung so once).
            var left = duration - clock.Elapsed;
            if (left <= TimeSpan.Zero) return;
            await Task.Delay(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Polls /api/pools until no backend holds a lease; what is left at the deadline, and how long it took.</summary>
    private static async Task<(Dictionary<string, long> Left, TimeSpan After)> WaitForLeasesAsync(AdminClient admin)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var active = await admin.ActiveAsync();
            var left = active?.Where(a => a.Value != 0).ToDictionary() ?? new Dictionary<string, long> { ["(admin API did not answer)"] = -1 };
            if (left.Count == 0 || clock.Elapsed > LeaseDeadline) return (left, clock.Elapsed);
            await Task.Delay(250);
        }
    }

    private static async Task ProgressAsync(TimeSpan duration, Tally tally, Sampler sampler, Chaos chaos, FulcrumUnderTest fulcrum,
        Action<string> log, CancellationToken stop)
    {
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
            while (await timer.WaitForNextTickAsync(stop))
            {
                var last = sampler.Samples.LastOrDefault();
                log($"{last?.Seconds ?? 0,6:F0}/{duration.TotalSeconds:F0} s  ok {tally.AllOk}  failed idempotent {tally.AllFailedIdempotent}"
                    + $"  other {tally.AllFailedOther}  rss {(last?.RssKib ?? 0) / 1024} MiB  fds {last?.Fds}  threads {last?.Threads}"
                    + $"  leases {last?.Leases}  load {last?.Load1:F1}  kills {chaos.Kills}  reloads {fulcrum.ReloadsApplied}");
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The load is over.
        }
    }

    /// <summary>The long-run bound on RSS and descriptor growth, from minute 5 to the end (issue 18).</summary>
    public const double LongBound = 10;

    /// <summary>The short-run bound; see docs/security.md, "The chaos soak", for why it is looser.</summary>
    public const double ShortBound = 15;
}
