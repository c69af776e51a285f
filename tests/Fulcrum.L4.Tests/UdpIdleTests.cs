using System.Net;
using System.Net.Sockets;
using Fulcrum.L4.Tests.Support;
using Fulcrum.L4.Udp;

namespace Fulcrum.L4.Tests;

/// <summary>
/// When a UDP session counts as idle. A reply that reached the session's socket but was not read yet (the
/// process was busy) keeps it open: expiring it then would drop a reply the backend sent in time.
/// </summary>
public sealed class UdpIdleTests
{
    [Fact]
    public async Task ASessionWithAnUnreadReply_IsNotIdle_PastItsTimeout()
    {
        using var backend = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        backend.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        upstream.Connect(backend.LocalEndPoint!);
        var timeout = TimeSpan.FromMilliseconds(200);

        Assert.False(UdpSession.IsIdle(timeout, timeout, upstream)); // not past the timeout
        Assert.True(UdpSession.IsIdle(timeout + TimeSpan.FromTicks(1), timeout, upstream)); // past it, nothing waiting

        await backend.SendToAsync("late reply"u8.ToArray(), SocketFlags.None, upstream.LocalEndPoint!);
        await Poll.UntilAsync(() => upstream.Available > 0, "the reply reached the session's socket");
        Assert.False(UdpSession.IsIdle(TimeSpan.FromMinutes(1), timeout, upstream));

        upstream.Receive(new byte[64]);
        Assert.True(UdpSession.IsIdle(TimeSpan.FromMinutes(1), timeout, upstream));
    }

    [Fact]
    public void AClosedSocket_IsIdle()
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        upstream.Dispose();

        Assert.True(UdpSession.IsIdle(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(200), upstream));
    }
}
