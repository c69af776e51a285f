using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.L7.Tests.Support;

/// <summary>A started <see cref="HttpDataPlane"/> over a config built in code, with clients aimed at its listeners.</summary>
public sealed class ProxyHarness : IAsyncDisposable
{
    private readonly List<HttpClient> _clients = [];

    private ProxyHarness(TopologyStore store, HttpDataPlane plane)
    {
        Store = store;
        Plane = plane;
        Client = CreateClient();
    }

    public TopologyStore Store { get; }
    public HttpDataPlane Plane { get; }
    /// <summary>A client for the listener named `web`.</summary>
    public HttpClient Client { get; }

    public static Task<ProxyHarness> StartAsync(FulcrumConfig config, BalancerServices? services = null, ILoggerFactory? loggerFactory = null) =>
        StartAsync(new TopologyStore(config, services), loggerFactory);

    /// <summary>Over a store the test made itself (to subscribe to it before the data plane does).</summary>
    public static Task<ProxyHarness> StartAsync(TopologyStore store, ILoggerFactory? loggerFactory = null) => StartAsync(store, loggerFactory, null);

    /// <summary>With the filters a test registers besides Fulcrum's own, for routes to name in `filters:`.</summary>
    internal static Task<ProxyHarness> StartAsync(FulcrumConfig config, Fulcrum.L7.Filters.FilterRegistry filters) => StartAsync(new TopologyStore(config), null, filters);

    private static async Task<ProxyHarness> StartAsync(TopologyStore store, ILoggerFactory? loggerFactory, Fulcrum.L7.Filters.FilterRegistry? filters)
    {
        var plane = new HttpDataPlane(store, loggerFactory ?? NullLoggerFactory.Instance) { Filters = filters ?? Fulcrum.L7.Filters.FilterRegistry.Default };
        await plane.StartAsync(CancellationToken.None);
        return new ProxyHarness(store, plane);
    }

    public Uri Url(string listener = "web") => new($"http://127.0.0.1:{Plane.BoundEndpoints[listener].Port}/");

    public Pool Pool(string name) => Store.Current.Pools[name];

    /// <summary>A client whose connections come from <paramref name="source"/> (any 127.x address works on Linux).</summary>
    public HttpClient CreateClient(string listener = "web", IPAddress? source = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            UseProxy = false,
        };
        if (source is not null)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        var client = new HttpClient(handler) { BaseAddress = Url(listener), Timeout = TimeSpan.FromSeconds(30) };
        _clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        await Plane.DisposeAsync();
    }
}
