using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.L4.Tests.Support;

/// <summary>A running TCP data plane over a config built in code.</summary>
internal sealed class L4Harness : IAsyncDisposable
{
    private L4Harness(TopologyStore store, TcpDataPlane plane)
    {
        Store = store;
        Plane = plane;
    }

    public TopologyStore Store { get; }
    public TcpDataPlane Plane { get; }
    public IPEndPoint Endpoint => Plane.BoundEndpoints["front"];
    public Pool Pool(string name = "p") => Store.Current.Pools[name];

    public static ListenerConfig Listener(string pool = "p") => new()
    {
        Name = "front",
        Bind = new BindAddress(IPAddress.Loopback, 0),
        Protocol = ListenerProtocol.Tcp,
        Pool = pool,
    };

    public static PoolConfig PoolOf(string name, params TestBackend[] backends) => new()
    {
        Name = name,
        Backends = [.. backends.Select(b => new BackendConfig { Address = b.Address })],
    };

    public static Task<L4Harness> StartAsync(ListenerConfig listener, params PoolConfig[] pools) =>
        StartAsync(new FulcrumConfig { Listeners = [listener], Pools = [.. pools] });

    /// <summary>A plane whose timeouts fire only when the test advances <paramref name="clock"/>.</summary>
    public static Task<L4Harness> StartAsync(ManualTimeProvider clock, ListenerConfig listener, params PoolConfig[] pools) =>
        StartAsync(new FulcrumConfig { Listeners = [listener], Pools = [.. pools] }, clock);

    public static async Task<L4Harness> StartAsync(FulcrumConfig config, TimeProvider? time = null)
    {
        var store = new TopologyStore(config, new BalancerServices(time ?? TimeProvider.System, Random.Shared));
        var plane = new TcpDataPlane(store, NullLoggerFactory.Instance);
        await plane.StartAsync(CancellationToken.None);
        return new L4Harness(store, plane);
    }

    public async Task<Socket> ConnectAsync()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await s.ConnectAsync(Endpoint);
        return s;
    }

    /// <summary>Connects and waits until the plane has taken the connection (its clock has started for it).</summary>
    public async Task<Socket> ConnectAndWaitForAcceptAsync()
    {
        var before = Plane.ActiveConnections;
        var client = await ConnectAsync();
        await Poll.UntilAsync(() => Plane.ActiveConnections > before, "the plane to take the connection");
        return client;
    }

    public ValueTask DisposeAsync() => Plane.DisposeAsync();
}
