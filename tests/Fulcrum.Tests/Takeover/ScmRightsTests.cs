using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Fulcrum.Takeover;

namespace Fulcrum.Tests.Takeover;

/// <summary>Descriptors passed over a Unix socket (SCM_RIGHTS) are the same open sockets on the other side.</summary>
public sealed class ScmRightsTests
{
    [Fact]
    public async Task AListeningSocket_SentOverTheChannel_AcceptsTheClientsQueuedOnTheOriginal()
    {
        using var pair = await ChannelPair.OpenAsync();
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(16);
        // Queued before the handover: the kernel holds it in the one accept queue both descriptors share.
        using var early = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await early.ConnectAsync(listener.LocalEndPoint!);

        pair.Sender.Send(new TakeoverMessage { Kind = TakeoverMessage.Offer }, [(int)listener.Handle], TimeSpan.FromSeconds(10));
        var (message, descriptors) = pair.Receiver.Receive(TimeSpan.FromSeconds(10));

        Assert.Equal(TakeoverMessage.Offer, message?.Kind);
        var received = Assert.Single(descriptors);
        Assert.NotEqual((int)listener.Handle, received);
        Assert.True(CloseOnExec(received), "a received descriptor must not leak into a child process");
        using var adopted = new Socket(new SafeSocketHandle(received, ownsHandle: true));
        Assert.Equal(listener.LocalEndPoint, adopted.LocalEndPoint);
        using var first = await adopted.AcceptAsync().WaitAsync(Poll.Deadline);

        // Closing the original (marked shared first) leaves the adopted one listening.
        ScmRights.MarkShared((int)listener.Handle);
        Assert.False(CloseOnExec((int)listener.Handle));
        var endpoint = listener.LocalEndPoint!;
        listener.Dispose();
        using var late = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await late.ConnectAsync(endpoint);
        using var second = await adopted.AcceptAsync().WaitAsync(Poll.Deadline);
    }

    [Fact]
    public async Task AMessageLargerThanAPart_WithMoreDescriptorsThanOneMessageCarries_ArrivesWhole()
    {
        using var pair = await ChannelPair.OpenAsync();
        var sockets = Enumerable.Range(0, 300).Select(_ => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)).ToList();
        try
        {
            foreach (var s in sockets) s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var offers = sockets.Select((s, i) => new OfferedSocket { Listener = $"udp-{i}-{new string('x', 200)}", Kind = "udp", Bind = "127.0.0.1:0", Address = s.LocalEndPoint!.ToString()! }).ToList();
            var sending = Task.Run(() => pair.Sender.Send(new TakeoverMessage { Kind = TakeoverMessage.Offer, Sockets = offers }, [.. sockets.Select(s => (int)s.Handle)], TimeSpan.FromSeconds(10)));
            var (message, descriptors) = pair.Receiver.Receive(TimeSpan.FromSeconds(10));
            await sending;

            Assert.Equal(300, message!.Sockets!.Count);
            Assert.Equal(300, descriptors.Count);
            for (var i = 0; i < descriptors.Count; i += 37)
            {
                using var adopted = new Socket(new SafeSocketHandle(descriptors[i], ownsHandle: true));
                Assert.Equal(offers[i].Address, adopted.LocalEndPoint!.ToString());
                descriptors[i] = -1;
            }

            InheritedSockets.CloseShared(descriptors.Where(d => d >= 0));
        }
        finally
        {
            foreach (var s in sockets) s.Dispose();
        }
    }

    [Fact]
    public void ConnectingToAPathNobodyServes_IsNoProcess_NotAnError()
    {
        var directory = Directory.CreateTempSubdirectory("fulcrum-takeover-");
        try
        {
            var path = Path.Combine(directory.FullName, "takeover.sock");
            Assert.Null(TakeoverChannel.Connect(path));
            // A socket file nobody accepts on, as one a killed process left behind.
            using var bound = TakeoverChannel.NewSocket();
            bound.Bind(new UnixDomainSocketEndPoint(path));
            Assert.True(File.Exists(path));
            Assert.Null(TakeoverChannel.Connect(path));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static bool CloseOnExec(int descriptor) => (fcntl(descriptor, 1, 0) & 1) != 0;

#pragma warning disable SYSLIB1054 // a test's one small call
    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int descriptor, int command, int argument);
#pragma warning restore SYSLIB1054
}
