using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.Admin.Tests;

/// <summary>A real admin server on 127.0.0.1 (port chosen by the OS) over a two-pool topology.</summary>
internal sealed class AdminTestServer : IAsyncDisposable
{
    private AdminTestServer(TopologyStore store, AdminServer server, HttpClient client)
    {
        Store = store;
        Server = server;
        Client = client;
    }

    public TopologyStore Store { get; }
    public AdminServer Server { get; }
    public HttpClient Client { get; }
    public bool Draining { get; set; }
    public Func<ConfigLoadResult>? NextReload { get; set; }

    public static FulcrumConfig Config(string? token = null, int webBackends = 3) => new()
    {
        Admin = new AdminConfig { Bind = new BindAddress(IPAddress.Loopback, 0), Token = token },
        Pools =
        [
            new PoolConfig
            {
                Name = "web",
                DrainTimeout = TimeSpan.FromSeconds(30),
                Backends = Enumerable.Range(1, webBackends)
                    .Select(i => new BackendConfig { Name = $"web-{i}", Address = $"127.0.0.1:{9000 + i}", Weight = i })
                    .ToImmutableArray(),
            },
            new PoolConfig { Name = "api", Backends = [new BackendConfig { Address = "127.0.0.1:9100" }] },
        ],
    };

    public static async Task<AdminTestServer> StartAsync(string? token = null, bool withReload = true)
    {
        var store = new TopologyStore(Config(token));
        AdminTestServer? self = null;
        var options = new AdminOptions
        {
            IsDraining = () => self!.Draining,
            Reload = withReload
                ? _ =>
                {
                    var result = self!.NextReload?.Invoke() ?? new ConfigLoadResult(store.Current.Config, []);
                    if (result.IsValid) store.Apply(result.Config!);
                    return Task.FromResult(result);
                }
                : null,
        };
        var server = new AdminServer(store, store.Current.Config.Admin!.Bind, options, NullLoggerFactory.Instance);
        await server.StartAsync(CancellationToken.None);
        var client = new HttpClient { BaseAddress = new Uri($"http://{server.BoundEndpoint}/"), Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        self = new AdminTestServer(store, server, client);
        return self;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : Json(json) };
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType ?? "");
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
