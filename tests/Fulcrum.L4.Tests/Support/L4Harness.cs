using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
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

    public static async Task<L4Harness> StartAsync(FulcrumConfig config)
    {
        var store = new TopologyStore(config);
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

    /// <summary>
    /// Connects, sends <paramref name="data"/> and waits for the balancer to close the connection: true when it
    /// did within the deadline. On a starved machine a short inspect timeout can fire before this side sees its
    /// connect complete (the connect then reports a reset) or before the send; closed either way.
    /// </summary>
    public async Task<bool> ClosesAfterSendingAsync(ReadOnlyMemory<byte> data)
    {
        Socket client;
        try
        {
            client = await ConnectAsync();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }

        using (client)
        {
            try
            {
                await client.SendAsync(data, SocketFlags.None);
            }
            catch (SocketException)
            {
            }

            return await Poll.Within(client.IsClosedAsync());
        }
    }

    public ValueTask DisposeAsync() => Plane.DisposeAsync();
}
