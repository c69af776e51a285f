using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.Dns.Answers;
using Fulcrum.Dns.Transport;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Dns;

/// <summary>
/// One `protocol: dns` listener: a UDP and a TCP socket on the same address and port, served by the library's
/// <see cref="DnsServer"/> through transports over those sockets, answering from the zone of the current topology.
/// A reload with the same bind swaps the zone in place; the sockets stay.
/// </summary>
internal sealed class DnsListener
{
    private const int BindAttempts = 10;

    private readonly DnsDataPlane _plane;
    private volatile ListenerConfig _config;
    private volatile AuthoritativeZone _zone;
    private DnsServer? _server;

    public DnsListener(DnsDataPlane plane, ListenerConfig config, Topology topology)
    {
        _plane = plane;
        _config = config;
        _zone = AuthoritativeZone.Build(config, topology, plane.Time, plane.Logger);
    }

    public ListenerConfig Config => _config;
    public IPEndPoint? BoundEndpoint { get; private set; }
    /// <summary>The listening sockets while it serves.</summary>
    public (Socket Udp, Socket Tcp)? Sockets { get; private set; }
    public AuthoritativeZone Zone => _zone;

    public void Update(ListenerConfig config, Topology topology)
    {
        _config = config;
        _zone = AuthoritativeZone.Build(config, topology, _plane.Time, _plane.Logger);
    }

    /// <summary>
    /// Serves on <paramref name="inherited"/> sockets when given (a takeover), else binds UDP, then TCP on the port UDP
    /// got. With port 0 the OS picks a UDP port whose TCP twin may be taken, so a few ports are tried; a fixed port that
    /// is taken throws the <see cref="SocketException"/> at once.
    /// </summary>
    public IPEndPoint Start((Socket Udp, Socket Tcp)? inherited = null)
    {
        if (inherited is { } given)
        {
            given.Tcp.Listen(512);
            Serve(given.Udp, given.Tcp);
            BoundEndpoint = (IPEndPoint)given.Udp.LocalEndPoint!;
            return BoundEndpoint;
        }

        var bind = new IPEndPoint(_config.Bind.Address, _config.Bind.Port);
        for (var attempt = 1; ; attempt++)
        {
            var udp = Open(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp, bind.Address);
            Socket? tcp = null;
            try
            {
                udp.Bind(bind);
                var endpoint = (IPEndPoint)udp.LocalEndPoint!;
                tcp = Open(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp, bind.Address);
                tcp.Bind(endpoint);
                tcp.Listen(512);
                Serve(udp, tcp);
                BoundEndpoint = endpoint;
                return endpoint;
            }
            catch (SocketException e) when (bind.Port == 0 && attempt < BindAttempts && e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                udp.Dispose();
                tcp?.Dispose();
            }
            catch
            {
                udp.Dispose();
                tcp?.Dispose();
                throw;
            }
        }
    }

    public void Stop()
    {
        // Stop cancels the library's loops, then closes both transports (and so the sockets); open tcp connections
        // end with their pending read.
        _server?.Stop();
        _server = null;
        Sockets = null;
        DnsLog.ListenerStopped(_plane.Logger, _config.Name);
    }

    private void Serve(Socket udp, Socket tcp)
    {
        var server = new DnsServer(new DnsUdpTransport(udp, Dropped), new DnsTcpTransport(tcp, _plane.Time, Dropped));
        server.QueryReceived += OnQueryReceived;
        server.ExceptionThrown += OnException;
        server.Start();
        _server = server;
        Sockets = (udp, tcp);
    }

    private Task OnQueryReceived(object sender, QueryReceivedEventArgs e)
    {
        e.Response = DnsResponder.Respond(e.Query, e.RemoteEndpoint.Address, _zone, _plane.Random);
        return Task.CompletedTask;
    }

    // The library reports here what it could not parse (the query is then dropped, as RFC 1035 4.1.1 lets a server do
    // with a message it cannot read) and answers it could not send.
    private Task OnException(object sender, ExceptionEventArgs e)
    {
        Dropped(e.Exception.InnerException?.Message ?? e.Exception.Message);
        return Task.CompletedTask;
    }

    private void Dropped(string reason) => DnsLog.QueryDropped(_plane.Logger, _config.Name, reason);

    private static Socket Open(AddressFamily family, SocketType type, ProtocolType protocol, IPAddress address)
    {
        var socket = new Socket(family, type, protocol);
        // `[::]` takes IPv4 clients too, as the config's check for overlapping binds assumes.
        if (family == AddressFamily.InterNetworkV6 && address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
        return socket;
    }
}
