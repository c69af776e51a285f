using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Fulcrum.Demo;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Run;

public sealed class ReloadUnderLoadTests
{
    private static readonly TimeSpan TrafficTime = TimeSpan.FromSeconds(20);
    private const int Reloads = 10;
    private const int Clients = 4;
    private const int MaxRequestsPerClient = 200_000;

    [Fact]
    public async Task TenReloads_DuringTwentySecondsOfTraffic_FailNoRequest()
    {
        await using var backends = await Backends.StartAsync(3);
        var (b1, b2, b3) = (backends[0], backends[1], backends[2]);
        // Each version adds, removes or reweights backends; every backend that leaves has requests in flight.
        (DemoBackend, int)[][] versions =
        [
            [(b1, 1), (b2, 1)],
            [(b2, 1), (b3, 1)],
            [(b1, 3), (b2, 1), (b3, 1)],
            [(b3, 1)],
            [(b1, 1), (b3, 2)],
            [(b1, 1), (b2, 1), (b3, 1)],
            [(b2, 5), (b3, 1)],
            [(b1, 1)],
            [(b1, 1), (b2, 1), (b3, 1)],
            [(b2, 1)],
        ];
        using var file = new ConfigFile(ConfigFile.Yaml(backends.All));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var url = await fulcrum.WaitForListenerAsync();

        var failures = new ConcurrentQueue<string>();
        var succeeded = 0L;
        using var stop = new CancellationTokenSource(TrafficTime + TimeSpan.FromSeconds(10));
        var clock = Stopwatch.StartNew();
        var traffic = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            using var client = TestHttp.CreateClient();
            for (var n = 0; n < MaxRequestsPerClient && clock.Elapsed < TrafficTime && !stop.IsCancellationRequested; n++)
            {
                try
                {
                    var (status, body) = await TestHttp.GetAsync(client, url);
                    if (status == HttpStatusCode.OK && body is "b1" or "b2" or "b3")
                    {
                        Interlocked.Increment(ref succeeded);
                    }
                    else
                    {
                        failures.Enqueue($"{clock.Elapsed}: {(int)status} '{body}'");
                    }
                }
                catch (HttpRequestException e)
                {
                    failures.Enqueue($"{clock.Elapsed}: {e.Message}");
                }
            }
        })).ToArray();

        // Spread the reloads over the traffic window: one every TrafficTime / (Reloads + 1).
        var interval = TrafficTime / (Reloads + 1);
        for (var i = 0; i < Reloads; i++)
        {
            var due = interval * (i + 1) - clock.Elapsed;
            if (due > TimeSpan.Zero) await Task.Delay(due);
            file.ReplaceAtomically(ConfigFile.Yaml(versions[i]));
            await fulcrum.WaitForLineAsync(new Regex($@"reload applied: generation {i + 2}\b"));
        }

        await Task.WhenAll(traffic);

        Assert.True(failures.IsEmpty, $"{failures.Count} of {failures.Count + succeeded} requests failed, first: {string.Join("; ", failures.Take(5))}");
        Assert.True(succeeded > 200, $"only {succeeded} requests in {TrafficTime}: the test proved little");
        // The last version has only b2: nothing else may answer now.
        using var check = TestHttp.CreateClient();
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal((HttpStatusCode.OK, "b2"), await TestHttp.GetAsync(check, url));
        }
    }
}
