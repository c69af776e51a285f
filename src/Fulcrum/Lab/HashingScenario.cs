using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Hosting;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Lab;

/// <summary>
/// `fulcrum lab hashing`: how many clients change backend when one joins or leaves, for modulo hashing (`ip-hash`),
/// the ring (`consistent-hash`) and Maglev, measured with real requests through a real Fulcrum: each key is a user id
/// in a header the pool hashes; the pool grows from four backends to five and shrinks to three through config
/// reloads, as an operator would do it, and the lab asks each backend which keys it served.
/// </summary>
public sealed class HashingScenario : ILabScenario
{
    public const string ListenerName = LabConfig.ListenerName;
    public const string PoolName = LabConfig.PoolName;
    public const string KeyHeader = "X-User";

    public static readonly string[] Algorithms = [BalancerNames.IpHash, BalancerNames.ConsistentHash, BalancerNames.Maglev];

    public string Name => "hashing";

    public string Summary => "a backend joins four, then one leaves: keys moved by ip-hash (modulo), consistent-hash and maglev, against the minimum";

    public static int Keys(bool isShort) => isShort ? 1_000 : 10_000;

    public async Task<string> RunAsync(LabSettings settings, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        var total = Stopwatch.StartNew();
        using var loggerFactory = HostLogging.Create(LogLevel.Warning);
        var backends = new List<LabBackend>();
        try
        {
            for (var i = 1; i <= 5; i++) backends.Add(await LabBackend.StartAsync($"b{i}", TimeSpan.Zero, 64, cancellationToken));
            var keys = Enumerable.Range(0, Keys(settings.Short)).Select(i => $"user-{i}").ToArray();
            var runs = new List<HashingRun>();
            foreach (var algorithm in Algorithms)
            {
                Console.Out.WriteLine($"{algorithm}: {keys.Length} keys over 4 backends, then 5, then 3");
                runs.Add(await MeasureAsync(algorithm, backends, keys, settings.OutputDirectory, loggerFactory, cancellationToken));
            }

            var result = new HashingResult(started, total.Elapsed, settings.Short, keys, runs);
            var report = HashingReport.Write(settings.OutputDirectory, result);
            await Console.Out.WriteLineAsync(HashingReport.Verdict(result));
            return report;
        }
        finally
        {
            foreach (var backend in backends) await backend.DisposeAsync();
        }
    }

    /// <summary>The lab's config with the given backends, hashing the user header.</summary>
    public static string ConfigText(string algorithm, IEnumerable<LabBackend> backends) =>
        LabConfig.Text(algorithm, backends, $"hash-key: header:{KeyHeader}");

    private static async Task<HashingRun> MeasureAsync(
        string algorithm, List<LabBackend> backends, string[] keys, string directory, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"fulcrum-{algorithm}.yaml");
        var four = backends.Take(4).ToList();
        var five = backends.ToList();
        var three = four.Where(b => b.Name != "b2").ToList();
        await File.WriteAllTextAsync(path, ConfigText(algorithm, four), cancellationToken);
        var loaded = ConfigLoader.LoadFile(path);
        if (!loaded.IsValid) throw new InvalidOperationException("lab config is invalid: " + string.Join("; ", loaded.Errors));

        await using var host = new BalancerHost(loaded.Config!, loggerFactory, path);
        await host.StartAsync(cancellationToken, watchConfigFile: false);
        using var client = new HttpClient { BaseAddress = new Uri($"http://{host.Http.BoundEndpoints[ListenerName]}/") };
        var before = await RouteAsync(client, keys, cancellationToken);
        await ReloadAsync(host, path, ConfigText(algorithm, five), 5, cancellationToken);
        var joined = await RouteAsync(client, keys, cancellationToken);
        await ReloadAsync(host, path, ConfigText(algorithm, three), 3, cancellationToken);
        var left = await RouteAsync(client, keys, cancellationToken);
        await host.StopAsync(TimeSpan.FromSeconds(5));
        return new HashingRun(algorithm, before, joined, left);
    }

    // The operator's way: the file changes, then a reload (as `POST /api/reload` or SIGHUP asks for one).
    private static async Task ReloadAsync(BalancerHost host, string path, string text, int expected, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(path, text, cancellationToken);
        var outcome = host.Reloader!.Reload(ReloadTrigger.Admin);
        if (!outcome.Applied) throw new InvalidOperationException("lab reload failed: " + string.Join("; ", outcome.Errors));
        var usable = host.Store.Current.Pools[PoolName].Backends.Count(b => b.IsUsable);
        if (usable != expected) throw new InvalidOperationException($"after the reload the pool has {usable} usable backends, not {expected}");
    }

    /// <summary>Sends one request per key (eight at a time) and returns the backend that answered each.</summary>
    private static async Task<string[]> RouteAsync(HttpClient client, string[] keys, CancellationToken cancellationToken)
    {
        var served = new string[keys.Length];
        await Parallel.ForAsync(0, keys.Length, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, token) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Add(KeyHeader, keys[i]);
            using var response = await client.SendAsync(request, token);
            served[i] = response.IsSuccessStatusCode && response.Headers.TryGetValues("X-Backend", out var names) ? names.Single() : $"error {(int)response.StatusCode}";
        });
        return served;
    }
}

/// <summary>Which backend served each key, before, after the join and after the leave.</summary>
public sealed record HashingRun(string Algorithm, string[] Before, string[] Joined, string[] Left)
{
    /// <summary>Keys that changed backend when b5 joined.</summary>
    public int MovedOnJoin => Enumerable.Range(0, Before.Length).Count(i => Before[i] != Joined[i]);

    /// <summary>Of those, the ones that went to b5 (the rest moved between the old backends).</summary>
    public int MovedToNew => Enumerable.Range(0, Before.Length).Count(i => Before[i] != Joined[i] && Joined[i] == "b5");

    /// <summary>Keys that changed backend when b2 left (and b5 went), against the four-backend routing.</summary>
    public int MovedOnLeave => Enumerable.Range(0, Before.Length).Count(i => Before[i] != Left[i]);

    /// <summary>Keys that had to move on the leave: those b2 served.</summary>
    public int OnLeaver => Before.Count(b => b == "b2");

    public int Errors => Before.Concat(Joined).Concat(Left).Count(b => b.StartsWith("error", StringComparison.Ordinal));
}

public sealed record HashingResult(DateTimeOffset Started, TimeSpan Took, bool Short, string[] Keys, IReadOnlyList<HashingRun> Runs);
