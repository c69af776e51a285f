using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Takeover;

namespace Fulcrum.Tests.Takeover;

/// <summary>Which inherited socket a listener of the new config claims (docs/ha.md, "Zero-downtime upgrade").</summary>
public sealed class InheritedSocketsTests : IDisposable
{
    private readonly List<Socket> _originals = [];

    [Fact]
    public void AListener_ClaimsTheSocketOfItsNameAndConfiguredBind_SoPortZeroKeepsItsPort()
    {
        var (web, webOffer) = Stream("web", "http", "127.0.0.1:0");
        var (other, otherOffer) = Stream("other", "http", "127.0.0.1:0");
        using var inherited = Inherit(otherOffer, webOffer);

        using var claimed = inherited.ForListener(Listener("web", "127.0.0.1:0", ListenerProtocol.Http));

        Assert.Equal(web.LocalEndPoint, claimed!.LocalEndPoint);
        Assert.Null(inherited.ForListener(Listener("web", "127.0.0.1:0", ListenerProtocol.Http)));
        Assert.Equal(1, inherited.Claimed);
        Assert.Null(inherited.ForListener(Listener("renamed", "127.0.0.1:0", ListenerProtocol.Http)));
        _ = other;
    }

    [Fact]
    public void ARenamedListenerOnAFixedPort_ClaimsTheSocketBoundThere_AndTcpTakesOverFromHttp()
    {
        var (web, offer) = Stream("web", "http", "127.0.0.1:0");
        var port = ((IPEndPoint)web.LocalEndPoint!).Port;
        using var inherited = Inherit(offer);

        using var claimed = inherited.ForListener(Listener("now-tcp", $"127.0.0.1:{port}", ListenerProtocol.Tcp));

        Assert.Equal(web.LocalEndPoint, claimed!.LocalEndPoint);
    }

    [Fact]
    public void UdpClaimsOnlyADatagramSocket_AndTheAdminApiOnlyTheAdminSocket()
    {
        var (_, stream) = Stream("dns", "tcp", "127.0.0.1:0");
        var (_, admin) = Stream("", OfferedSocket.AdminKind, "127.0.0.1:0");
        var datagram = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _originals.Add(datagram);
        datagram.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var udp = new OfferedSocket { Listener = "dns", Kind = "udp", Bind = "127.0.0.1:0", Address = datagram.LocalEndPoint!.ToString()! };
        using var inherited = new InheritedSockets([stream, admin, udp], [Dup(_originals[0]), Dup(_originals[1]), Dup(datagram)]);

        using var forUdp = inherited.ForListener(Listener("dns", "127.0.0.1:0", ListenerProtocol.Udp));
        Assert.Equal(SocketType.Dgram, forUdp!.SocketType);
        Assert.Null(inherited.ForListener(Listener("", "127.0.0.1:0", ListenerProtocol.Http)));
        using var forAdmin = inherited.ForAdmin(new BindAddress(IPAddress.Loopback, 0));
        Assert.Equal(_originals[1].LocalEndPoint, forAdmin!.LocalEndPoint);
        Assert.Equal(2, inherited.Claimed);
    }

    [Fact]
    public async Task WhatNoListenerClaims_IsClosedHere_AndStillServesForTheProcessThatSentIt()
    {
        var (web, offer) = Stream("dropped", "http", "127.0.0.1:0");
        var inherited = Inherit(offer);

        inherited.CloseUnclaimed();

        Assert.Equal(0, inherited.Claimed);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(web.LocalEndPoint!);
        using var accepted = await web.AcceptAsync().WaitAsync(Poll.Deadline);
    }

    public void Dispose()
    {
        foreach (var s in _originals) s.Dispose();
    }

    private (Socket Original, OfferedSocket Offer) Stream(string listener, string kind, string bind)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _originals.Add(socket);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen(16);
        return (socket, new OfferedSocket { Listener = listener, Kind = kind, Bind = bind, Address = InheritedSockets.AddressOf(socket) });
    }

    // Each offer's descriptor, a duplicate of the original (as SCM_RIGHTS makes one), in the order given.
    private InheritedSockets Inherit(params OfferedSocket[] offers) =>
        new(offers, [.. offers.Select(o => Dup(_originals.First(s => InheritedSockets.AddressOf(s) == o.Address)))]);

    private static ListenerConfig Listener(string name, string bind, ListenerProtocol protocol) =>
        new() { Name = name, Bind = IPEndPointToBind(bind), Protocol = protocol };

    private static BindAddress IPEndPointToBind(string text)
    {
        var endpoint = IPEndPoint.Parse(text);
        return new BindAddress(endpoint.Address, endpoint.Port);
    }

    private static int Dup(Socket socket) => dup((int)socket.Handle);

#pragma warning disable SYSLIB1054 // a test's one small call
    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int dup(int descriptor);
#pragma warning restore SYSLIB1054
}
