using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.IO.Uring;
using Fulcrum.L4.Tests.Support;

namespace Fulcrum.L4.Tests;

/// <summary>
/// A connection accepted, connected, relayed and closed on a ring keeps bare descriptors (no runtime socket): what the
/// runtime's socket did for it, the pieces below do, with or without the kernel's optional ops.
/// </summary>
public sealed class BareDescriptorTests
{
    private static readonly UringLoops? Loops = UringLoops.Shared(out _);

    [Theory]
    [InlineData(AddressFamily.InterNetwork, true)]
    [InlineData(AddressFamily.InterNetwork, false)]
    [InlineData(AddressFamily.InterNetworkV6, true)]
    public async Task RingConnect_OfABareDescriptor_SetsNoDelay_AndItsAddressesReadBack(AddressFamily family, bool optionOnTheRing)
    {
        if (Loops is not { } loops) return; // the kernel refuses io_uring: nothing here runs
        var loop = loops[0];
        using var listen = new Socket(family, SocketType.Stream, ProtocolType.Tcp);
        listen.Bind(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Loopback : IPAddress.IPv6Loopback, 0));
        listen.Listen(8);
        var probed = UringFeatures.SetSockOpt;
        // Off: the system call a kernel before 6.7 gets. Only which way the option is set changes, so other tests
        // running meanwhile see no difference.
        UringFeatures.SetSockOpt = probed && optionOnTheRing;
        try
        {
            var (fd, local, peer) = await OnLoop<(int, IPEndPoint?, IPEndPoint?)>.RunAsync(loop, async () =>
            {
                var fd = UringNative.Socket(family == AddressFamily.InterNetwork ? UringNative.AfInet : UringNative.AfInet6, UringNative.SockStream | UringNative.SockCloexec, 0);
                await UringConnect.ConnectAsync(loop, fd, (IPEndPoint)listen.LocalEndPoint!, noDelay: true, CancellationToken.None);
                return (fd, SockAddr.Local(fd), SockAddr.Peer(fd));
            });
            using var connected = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
            using var accepted = await Poll.Within(listen.AcceptAsync());

            Assert.True(connected.NoDelay);
            Assert.Equal(accepted.RemoteEndPoint, local);
            Assert.Equal(listen.LocalEndPoint, peer);
        }
        finally
        {
            UringFeatures.SetSockOpt = probed;
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task LoopClose_ClosesTheDescriptor_ThePeerSeesItsFin(bool closeOnTheRing)
    {
        if (Loops is not { } loops) return;
        var loop = loops[0];
        using var listen = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listen.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listen.Listen(8);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listen.LocalEndPoint!);
        // A descriptor no runtime socket owns, as the rings accept them.
        var fd = UringNative.Accept4((int)listen.SafeHandle.DangerousGetHandle(), 0, 0, UringNative.SockCloexec);
        Assert.True(fd >= 0);
        var probed = UringFeatures.Close;
        UringFeatures.Close = probed && closeOnTheRing;
        try
        {
            await OnLoop<bool>.RunAsync(loop, () =>
            {
                loop.Close(fd);
                return Task.FromResult(true);
            });
        }
        finally
        {
            UringFeatures.Close = probed;
        }

        Assert.Equal(0, await Poll.Within(client.ReceiveAsync(new byte[1])));
    }

    [Fact]
    public async Task TcpListener_ListensWithNoDelay_WhichTheConnectionsItAcceptsInherit()
    {
        using var backend = TestBackend.Echo();
        await using var lb = await L4Harness.StartAsync(L4Harness.Listener(), L4Harness.PoolOf("p", backend));
        Assert.True(Assert.Single(lb.Plane.ListeningSockets).Socket.NoDelay);

        // What the listener counts on, instead of a setsockopt per connection: the kernel copies the option over.
        using var listen = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        listen.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listen.Listen(8);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listen.LocalEndPoint!);
        using var accepted = await Poll.Within(listen.AcceptAsync());
        Assert.True(accepted.NoDelay);
    }
}
