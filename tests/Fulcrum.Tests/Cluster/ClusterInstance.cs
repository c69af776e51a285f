using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Cluster;

/// <summary>
/// One real `fulcrum run` process of a cluster: its config file (listener and admin API on ports the OS chose), its
/// listener and admin URLs, and the admin calls the cluster tests make.
/// </summary>
internal sealed class ClusterInstance : IAsyncDisposable
{
    private readonly ConfigFile _file;

    private ClusterInstance(string name, ConfigFile file, FulcrumProcess process, Uri url, Uri admin)
    {
        Name = name;
        _file = file;
        Process = process;
        Url = url;
        Admin = new HttpClient { BaseAddress = admin, Timeout = Poll.Deadline };
        Client = TestHttp.CreateClient();
        Client.BaseAddress = url;
    }

    public string Name { get; }
    public FulcrumProcess Process { get; }
    public Uri Url { get; }
    public HttpClient Admin { get; }
    public HttpClient Client { get; }

    /// <summary>
    /// A config: a `cluster:` section naming this instance, the admin API, one http listener to pool `app`. The
    /// rate-limit timeout is long, so a busy machine's slow answer is not taken for a missing one and counts stay exact.
    /// </summary>
    public static string Yaml(string instance, string redis, string backends, string route = "") => $$"""
        cluster:
          redis: {{redis}}
          instance: {{instance}}
          heartbeat: 200ms
          rate-limit-timeout: 2s
        admin:
          bind: 127.0.0.1:0
        listeners:
          - name: web
            bind: 127.0.0.1:0
            protocol: http
            routes:
              - pool: app
        {{route}}
        pools:
          - name: app
            algorithm: round-robin
            backends:
        {{backends}}
        """;

    public static async Task<ClusterInstance> StartAsync(string name, string yaml)
    {
        var file = new ConfigFile(yaml);
        var process = FulcrumProcess.Start("run", "-c", file.Path);
        var url = await process.WaitForListenerAsync();
        var admin = (await process.WaitForLineAsync(new Regex(@"admin API serving on (\S+)"))).Groups[1].Value;
        return new ClusterInstance(name, file, process, url, new Uri(admin + "/"));
    }

    /// <summary>The backend's state as this instance's admin API shows it ("up", "draining", ...).</summary>
    public async Task<string> StateAsync(string backend)
    {
        using var pool = JsonDocument.Parse(await Admin.GetStringAsync("api/pools/app"));
        foreach (var b in pool.RootElement.GetProperty("backends").EnumerateArray())
        {
            if (b.GetProperty("id").GetString() == backend) return b.GetProperty("state").GetString()!;
        }

        return "absent";
    }

    public async Task<JsonElement> ClusterAsync()
    {
        using var cluster = JsonDocument.Parse(await Admin.GetStringAsync("api/cluster"));
        return cluster.RootElement.Clone();
    }

    public async Task<bool> RedisReachableAsync() => (await ClusterAsync()).GetProperty("redisReachable").GetBoolean();

    public async Task PostAsync(string path)
    {
        using var response = await Admin.PostAsync(path, null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public async Task<string> MetricsAsync() => await Admin.GetStringAsync("metrics");

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        Client.Dispose();
        await Process.DisposeAsync();
        _file.Dispose();
    }
}
