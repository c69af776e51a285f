using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;

namespace Fulcrum.L4.Tests;

/// <summary>
/// A udp plane whose listening socket another process took over (docs/ha.md, "Zero-downtime upgrade"): it stops
/// reading at once, so every new datagram goes to the new process, but its sessions still carry their backends'
/// replies until they go quiet.
/// </summary>
public sealed class UdpHandoverTests
{
    [Fact]
    public async Task AfterATakeover_ThePlaneStopsReading_ButAReplyStillReachesItsClient_UntilTheSessionIsQuiet()
    {
        var clock = new ManualTimeProvider();
        using var backend = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        backend.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var logs = new CapturingLoggerFactory();
        var config = new FulcrumConfig
        {
            Listeners = [new ListenerConfig { Name = "dns", Bind = new BindAddress(IPAddress.Loopback, 0), Protocol = ListenerProtocol.Udp, Pool = "p" }],
            Pools = [new PoolConfig { Name = "p", Backends = [new BackendConfig { Address = backend.LocalEndPoint!.ToString()! }] }],
        };
        var store = new TopologyStore(config, new BalancerServices(clock, Random.Shared));
        await using var plane = new UdpDataPlane(store, logs);
        await plane.StartAsync(CancellationToken.None);
        var listener = plane.BoundEndpoints["dns"];
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        // A question forwarded before the takeover; its answer is still to come.
        await client.SendToAsync("q1"u8.ToArray(), SocketFlags.None, listener);
        var buffer = new byte[256];
        var question = await backend.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(Poll.Deadline);
        Assert.Equal("q1", Encoding.ASCII.GetString(buffer, 0, question.ReceivedBytes));

        plane.HandedOver = true;
        using var deadline = new CancellationTokenSource(Poll.Deadline);
        var stopping = plane.StopAsync(deadline.Token);
        await Poll.UntilAsync(() => logs.Messages.Contains("udp listener dns stopped"), "the plane to stop reading");

        // The next question stays in the socket for the process that took it over: nothing here reads it.
        await client.SendToAsync("q2"u8.ToArray(), SocketFlags.None, listener);
        await backend.SendToAsync("a1"u8.ToArray(), SocketFlags.None, question.RemoteEndPoint);
        var answer = await client.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(Poll.Deadline);
        Assert.Equal("a1", Encoding.ASCII.GetString(buffer, 0, answer.ReceivedBytes));
        Assert.Equal(listener, answer.RemoteEndPoint);
        Assert.Equal(0, backend.Available);

        // The session lives on while it may still hear from its backend, and ends once quiet for HandedOverQuiet.
        clock.Advance(Udp.UdpListenerLoop.HandedOverQuiet - TimeSpan.FromSeconds(1));
        Assert.False(stopping.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(2));
        await stopping.WaitAsync(Poll.Deadline);
        Assert.Equal(0, store.Current.Pools["p"].Backends[0].Stats.Active);
    }
}
