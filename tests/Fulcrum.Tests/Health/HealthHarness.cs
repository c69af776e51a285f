using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.Tests.Health;

/// <summary>A balancer (in this process, on real sockets) over <see cref="HealthBackend"/>s, with its admin API.</summary>
internal sealed class HealthHarness : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = Poll.Deadline;

    private HealthHarness(BalancerHost host, HttpClient client, HttpClient admin, string? file)
    {
        Host = host;
        Client = client;
        Admin = admin;
        File = file;
    }

    public BalancerHost Host { get; }
    public HttpClient Client { get; }
    public HttpClient Admin { get; }
    public string? File { get; }
    public Pool Pool(string name = "app") => Host.Store.Current.Pools[name];

    /// <summary>A config with an admin API, one http listener routing to pool `app` with <paramref name="poolYaml"/> (indented 4).</summary>
    public static string Yaml(string poolYaml, params HealthBackend[] backends)
    {
        var lines = string.Join('\n', backends.Select(b => $"      - {{ name: {b.Name}, address: {b.Address}, weight: 10 }}"));
        return $"""
            admin:
              bind: 127.0.0.1:0
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                routes:
                  - pool: app
            pools:
              - name: app
            {poolYaml}
                backends:
            {lines}

            """;
    }

    public static async Task<HealthHarness> StartAsync(string yaml, bool fromFile = false)
    {
        string? file = null;
        if (fromFile)
        {
            file = Path.Combine(Path.GetTempPath(), $"fulcrum-health-{Guid.NewGuid():N}.yaml");
            await System.IO.File.WriteAllTextAsync(file, yaml);
        }

        var loaded = ConfigLoader.LoadText(yaml, file ?? "test.yaml");
        Assert.True(loaded.IsValid, string.Join('\n', loaded.Errors));
        var host = new BalancerHost(loaded.Config!, NullLoggerFactory.Instance, file);
        await host.StartAsync(watchConfigFile: false);
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = new Uri($"http://{host.BoundEndpoints["web"]}/"),
            Timeout = Deadline,
        };
        var admin = new HttpClient { BaseAddress = new Uri($"http://{host.AdminEndpoint}/"), Timeout = Deadline };
        return new HealthHarness(host, client, admin, file);
    }

    public async Task<JsonElement> PoolViewAsync(string pool = "app") =>
        await Admin.GetFromJsonAsync<JsonElement>($"api/pools/{pool}");

    public async Task<JsonElement> BackendViewAsync(string id, string pool = "app") =>
        (await PoolViewAsync(pool)).GetProperty("backends").EnumerateArray().Single(b => b.GetProperty("id").GetString() == id);

    /// <summary>
    /// Steady load: <paramref name="workers"/> loops of GET <paramref name="path"/> until stopped, bounded by the
    /// deadline and <paramref name="maxRequests"/>. Records each answer's status and backend.
    /// </summary>
    public Load StartLoad(int workers = 4, string path = "/", int maxRequests = 20_000) => new(Client, workers, path, maxRequests);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Admin.Dispose();
        await Host.StopAsync(TimeSpan.FromSeconds(5));
        await Host.DisposeAsync();
        if (File is not null) System.IO.File.Delete(File);
    }

    internal sealed class Load
    {
        private readonly CancellationTokenSource _stop = new(Deadline);
        private readonly Task[] _workers;
        private int _count;

        public Load(HttpClient client, int workers, string path, int maxRequests)
        {
            _workers = new Task[workers];
            for (var i = 0; i < workers; i++)
            {
                _workers[i] = Task.Run(async () =>
                {
                    while (!_stop.IsCancellationRequested && Interlocked.Increment(ref _count) <= maxRequests)
                    {
                        try
                        {
                            using var response = await client.GetAsync(path, _stop.Token);
                            var body = await response.Content.ReadAsStringAsync(_stop.Token);
                            Answers.Enqueue(((int)response.StatusCode, response.Headers.TryGetValues("X-Backend", out var b) ? b.First() : "?", body));
                        }
                        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                        {
                            break;
                        }
                        catch (HttpRequestException e)
                        {
                            Answers.Enqueue((0, "?", e.Message));
                        }
                    }
                });
            }
        }

        public ConcurrentQueue<(int Status, string Backend, string Body)> Answers { get; } = new();
        public int Count => Answers.Count;

        public async Task<List<(int Status, string Backend, string Body)>> StopAsync()
        {
            _stop.Cancel();
            await Task.WhenAll(_workers);
            return [.. Answers];
        }
    }
}
