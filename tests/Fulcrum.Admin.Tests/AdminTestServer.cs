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

    public static FulcrumConfig Config(string? token = null, int webBackends = 3, BindAddress? bind = null) => new()
    {
        Admin = new AdminConfig { Bind = bind ?? new BindAddress(IPAddress.Loopback, 0), Token = token },
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

    /// <param name="token">admin.token.</param>
    /// <param name="withReload">Whether POST /api/reload is wired (to <see cref="NextReload"/>).</param>
    /// <param name="limits">The server's limits, when a test shortens them.</param>
    /// <param name="bind">admin.bind (127.0.0.1:0 by default); the client always connects over loopback.</param>
    public static async Task<AdminTestServer> StartAsync(string? token = null, bool withReload = true, AdminLimits? limits = null, BindAddress? bind = null)
    {
        var store = new TopologyStore(Config(token, bind: bind));
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
            Limits = limits ?? AdminLimits.Default,
        };
        var server = new AdminServer(store, store.Current.Config.Admin!.Bind, options, NullLoggerFactory.Instance);
        await server.StartAsync(CancellationToken.None);
        var client = new HttpClient { BaseAddress = Loopback(server.BoundEndpoint!), Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        self = new AdminTestServer(store, server, client);
        return self;
    }

    /// <summary>The server's URL over loopback, also when it is bound to every address.</summary>
    public static Uri Loopback(IPEndPoint bound) =>
        new($"http://{(bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any) ? new IPEndPoint(IPAddress.Loopback, bound.Port) : bound)}/");

    public Uri Url => Client.BaseAddress!;

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
