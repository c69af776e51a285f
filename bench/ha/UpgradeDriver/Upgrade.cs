using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Fulcrum.L7.Tls;

namespace Fulcrum.Bench.Upgrade;

/// <summary>
/// Upgrades in a row under load (docs/ha.md, "Zero-downtime upgrade"): the first fulcrum binds and serves its takeover
/// socket; for each run the load starts against it (keep-alive http and https clients, HTTP/2, fresh http and tcp
/// connections, a long tcp stream, a udp session), a new fulcrum (the other build, the other config) takes over, the
/// load goes on, the long stream ends, and the old process must then drain and exit 0. The new one is the next run's old.
/// </summary>
public static partial class Upgrade
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    public static async Task<IReadOnlyList<RunResult>> RunAsync(UpgradeOptions options, Action<string> progress)
    {
        Directory.CreateDirectory(options.OutDir);
        var clock = Stopwatch.StartNew();
        TimeSpan Now() => clock.Elapsed;
        void Say(string line)
        {
            if (options.Progress) progress($"{Now().TotalSeconds,6:F1}s {line}");
        }

        await using var backends = await UpgradeBackends.StartAsync();
        using var certificate = SelfSignedCertificate.Create(["localhost", "127.0.0.1"], TimeSpan.FromDays(2), DateTimeOffset.UtcNow);
        var (certPath, keyPath) = SelfSignedCertificate.WritePem(certificate, options.OutDir, "upgrade");
        string[] configs = [UpgradeConfig.Write(options.OutDir, 0, backends, certPath, keyPath), UpgradeConfig.Write(options.OutDir, 1, backends, certPath, keyPath)];
        string[] dlls = [options.FulcrumDll, options.NextFulcrumDll ?? options.FulcrumDll];
        var socket = Path.Combine(options.OutDir, "takeover.sock");

        var results = new List<RunResult>();
        var current = Balancer.Start(dlls[0], configs[0], socket, options.DrainTimeout, Path.Combine(options.OutDir, "fulcrum-0.log"), Now);
        var retired = new List<Balancer> { current };
        try
        {
            var endpoints = await current.ListenersAsync(StartTimeout);
            Say($"fulcrum {current.Pid} serves {string.Join(", ", endpoints.Select(e => $"{e.Key} {e.Value}"))}");
            for (var run = 1; run <= options.Runs; run++)
            {
                var next = run % 2;
                var (result, successor) = await RunOnceAsync(run, current, endpoints, dlls[next], configs[next], socket, options, Now, Say);
                retired.Add(successor);
                results.Add(result);
                Say($"run {run}: {result.Ok} ok, {result.Failed} failed, {result.Refused} refused; takeover {result.TakeoverTime.TotalSeconds:F2} s; old exited {result.OldExitCode}");
                current = successor;
            }

            await current.StopAsync(options.DrainTimeout + TimeSpan.FromSeconds(30));
        }
        finally
        {
            foreach (var balancer in retired) await balancer.DisposeAsync();
        }

        return results;
    }

    private static async Task<(RunResult Result, Balancer Successor)> RunOnceAsync(int run, Balancer old, Dictionary<string, IPEndPoint> endpoints,
        string dll, string config, string socket, UpgradeOptions options, Func<TimeSpan> now, Action<string> say)
    {
        var tally = new Tally(now);
        using var stopLoad = new CancellationTokenSource();
        using var endStream = new CancellationTokenSource();
        var keepAlive = new List<KeepAliveLoad>
        {
            new(Channel.Http, endpoints["web"], tally),
            new(Channel.Http, endpoints["web"], tally),
            new(Channel.Https, endpoints["secure"], tally),
            new(Channel.Https, endpoints["secure"], tally),
            new(Channel.Https2, endpoints["secure"], tally),
        };
        var stream = new LongStream(endpoints["stream"], tally, now);
        var streaming = stream.RunAsync(options.Period * 2, endStream.Token);
        var load = new List<Task>(keepAlive.Select(k => k.RunAsync(options.Period, stopLoad.Token)))
        {
            new ConnectionLoad(Channel.HttpConnect, endpoints["web"], tally).RunAsync(options.Period, stopLoad.Token),
            new ConnectionLoad(Channel.TcpConnect, endpoints["stream"], tally).RunAsync(options.Period, stopLoad.Token),
            new UdpSession(endpoints["datagram"], tally).RunAsync(options.Period, stopLoad.Token),
        };

        Balancer successor;
        TimeSpan takeover;
        try
        {
            await Task.Delay(options.Before);
            var started = now();
            successor = Balancer.Start(dll, config, socket, options.DrainTimeout, Path.Combine(options.OutDir, $"fulcrum-{run}.log"), now);
            say($"run {run}: fulcrum {successor.Pid} ({Path.GetFileName(Path.GetDirectoryName(dll))}, {Path.GetFileName(config)}) takes over from {old.Pid}");
            await successor.WaitForLineAsync(TookOver(), StartTimeout);
            takeover = now() - started;
            await Task.Delay(options.After);
        }
        finally
        {
            await endStream.CancelAsync();
            await streaming;
            await stopLoad.CancelAsync();
            await Task.WhenAll(load);
            foreach (var k in keepAlive) k.Dispose();
        }

        var problems = new List<string>();
        var exited = await Task.WhenAny(old.Exited, Task.Delay(options.DrainTimeout + TimeSpan.FromSeconds(30))) == old.Exited;
        if (!exited) problems.Add($"the old process {old.Pid} did not exit within its drain timeout");
        else if (old.ExitCode != 0) problems.Add($"the old process {old.Pid} exited with {old.ExitCode}:\n{old.Tail()}");
        var outlived = stream.EndedAt is { } ended && old.ExitedAt is { } oldExit && ended <= oldExit;
        if (!outlived) problems.Add($"the long stream ended at {stream.EndedAt?.TotalSeconds:F2}s, the old process exited at {old.ExitedAt?.TotalSeconds:F2}s");

        var kept = await successor.ListenersAsync(StartTimeout);
        // Every listener both configs have, and the admin API, must keep its address.
        var lost = endpoints.Where(e => e.Key != "extra" && (!kept.TryGetValue(e.Key, out var bound) || !bound.Equals(e.Value))).Select(e => e.Key).ToList();
        if (lost.Count > 0) problems.Add($"moved: {string.Join(", ", lost)}");
        foreach (var (name, endpoint) in kept) endpoints[name] = endpoint; // the extra listener comes and goes

        var result = new RunResult
        {
            Run = run,
            OldPid = old.Pid,
            NewPid = successor.Pid,
            TakeoverTime = takeover,
            Channels = Enum.GetValues<Channel>().ToDictionary(c => c, c => (tally.Ok(c), tally.Failed(c), tally.Refused(c))),
            FirstFailures = [.. tally.FirstFailures],
            StreamEchoed = stream.Echoed,
            StreamOutlivedTakeover = outlived,
            OldExitCode = old.ExitCode,
            AddressesKept = lost.Count == 0,
            Problems = problems,
        };
        return (result, successor);
    }

    [GeneratedRegex(@"\btook over from pid \d+")]
    private static partial Regex TookOver();
}
