using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Takeover;

/// <summary>
/// The listening sockets a new process received from the one it takes over from, until its listeners claim them. A
/// listener claims the socket offered for the same name and configured bind (so `127.0.0.1:0` finds the port the old
/// process was given), else, for a fixed port, the one bound to the same address whatever its name; udp claims only a
/// datagram socket and the others only stream ones, a dns listener one of each; the admin API claims only the admin
/// socket. What no listener
/// claims (a listener the new config dropped or moved) is closed once the new process serves.
/// </summary>
internal sealed class InheritedSockets : IDisposable
{
    private readonly object _gate = new();
    private readonly List<(OfferedSocket Offer, Socket Socket)> _unclaimed = [];
    private readonly List<int> _received;
    private int _claimed;

    public InheritedSockets(IReadOnlyList<OfferedSocket> offers, IReadOnlyList<int> descriptors)
    {
        if (offers.Count != descriptors.Count)
        {
            CloseShared(descriptors);
            throw new InvalidDataException($"{descriptors.Count} descriptors came for {offers.Count} sockets");
        }

        _received = [.. descriptors];
        for (var i = 0; i < offers.Count; i++) _unclaimed.Add((offers[i], new Socket(new SafeSocketHandle(descriptors[i], ownsHandle: true))));
    }

    /// <summary>Sockets received from the other process.</summary>
    public int Count => _received.Count;

    /// <summary>How many were claimed so far (sockets bound by <see cref="BindTheRest"/> not counted).</summary>
    public int Claimed => Volatile.Read(ref _claimed);

    /// <summary>The socket inherited for <paramref name="listener"/>, now owned by the caller; null when none matches.</summary>
    public Socket? ForListener(ListenerConfig listener) => Claim(Match(listener));

    /// <summary>
    /// A dns listener's inherited udp and tcp sockets, now owned by the caller; null unless both match (one alone is
    /// closed: the listener binds the two together on one port).
    /// </summary>
    public (Socket Udp, Socket Tcp)? ForDns(ListenerConfig listener)
    {
        var udp = Claim(Match(listener, datagram: true));
        var tcp = Claim(Match(listener, datagram: false));
        if (udp is not null && tcp is not null) return (udp, tcp);
        foreach (var alone in new[] { udp, tcp })
        {
            if (alone is null) continue;
            ScmRights.MarkShared((int)alone.SafeHandle.DangerousGetHandle());
            alone.Dispose();
        }

        return null;
    }

    /// <summary>The admin API's inherited socket for <paramref name="bind"/>; null when none matches.</summary>
    public Socket? ForAdmin(BindAddress bind) => Claim(MatchAdmin(bind));

    /// <summary>
    /// Binds, now, a socket of its own for every listener of <paramref name="config"/> (and its admin API) that claims
    /// none of the inherited ones, and keeps it for that listener. A port in use then fails the start before any
    /// listener accepts a client from an inherited socket, so nothing the old process would have served is dropped by a
    /// new process that cannot start. Throws <see cref="TakeoverFailedException"/> for the first bind that fails.
    /// </summary>
    public void BindTheRest(FulcrumConfig config)
    {
        foreach (var listener in config.Listeners)
        {
            if (listener.Protocol == ListenerProtocol.Dns)
            {
                BindDns(listener);
                continue;
            }

            if (Match(listener) is not null) continue;
            var datagram = listener.Protocol == ListenerProtocol.Udp;
            Add(new OfferedSocket { Listener = listener.Name, Kind = Kind(listener.Protocol), Bind = listener.Bind.ToString(), Address = "" }, Bind($"listener {listener.Name}", listener.Bind, datagram));
        }

        if (config.Admin is { } admin && MatchAdmin(admin.Bind) is null)
        {
            Add(new OfferedSocket { Kind = OfferedSocket.AdminKind, Bind = admin.Bind.ToString(), Address = "" }, Bind("the admin API", admin.Bind, datagram: false));
        }
    }

    /// <summary>A dns listener with either of its sockets missing binds both now, tcp on the port udp got.</summary>
    private void BindDns(ListenerConfig listener)
    {
        if (Match(listener, datagram: true) is not null && Match(listener, datagram: false) is not null) return;
        var what = $"listener {listener.Name}";
        var udp = Bind(what, listener.Bind, datagram: true);
        var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
        Socket tcp;
        try
        {
            tcp = Bind(what, listener.Bind with { Port = port }, datagram: false);
        }
        catch
        {
            udp.Dispose();
            throw;
        }

        var bind = listener.Bind.ToString();
        Add(new OfferedSocket { Listener = listener.Name, Kind = OfferedSocket.DnsDatagramKind, Bind = bind, Address = "" }, udp);
        Add(new OfferedSocket { Listener = listener.Name, Kind = Kind(listener.Protocol), Bind = bind, Address = "" }, tcp);
    }

    /// <summary>
    /// Clears close-on-exec on every received descriptor, claimed or not (see <see cref="ScmRights.MarkShared"/>), before
    /// this process may close any of them while the other process still serves from them: a failed start.
    /// </summary>
    public void MarkShared()
    {
        foreach (var descriptor in _received) ScmRights.MarkShared(descriptor);
    }

    /// <summary>Closes the sockets no listener claimed.</summary>
    public void CloseUnclaimed()
    {
        List<Socket> left;
        lock (_gate)
        {
            left = [.. _unclaimed.Select(u => u.Socket)];
            _unclaimed.Clear();
        }

        foreach (var socket in left)
        {
            ScmRights.MarkShared((int)socket.SafeHandle.DangerousGetHandle());
            socket.Dispose();
        }
    }

    public void Dispose() => CloseUnclaimed();

    /// <summary>Closes descriptors another process may share: never a shutdown(2), which would end the socket for it too.</summary>
    public static void CloseShared(IEnumerable<int> descriptors)
    {
        foreach (var descriptor in descriptors)
        {
            ScmRights.MarkShared(descriptor);
            new SafeSocketHandle(descriptor, ownsHandle: true).Dispose();
        }
    }

    /// <summary>The address a socket is bound to, as <see cref="OfferedSocket.Address"/> writes it.</summary>
    public static string AddressOf(Socket socket) => socket.LocalEndPoint is IPEndPoint ip
        ? new BindAddress(ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address, ip.Port).ToString()
        : "";

    public static string Kind(ListenerProtocol protocol) => protocol.ToString().ToLowerInvariant();

    private Func<OfferedSocket, bool>? Match(ListenerConfig listener) => Match(listener, listener.Protocol == ListenerProtocol.Udp);

    private Func<OfferedSocket, bool>? Match(ListenerConfig listener, bool datagram)
    {
        var bind = listener.Bind.ToString();
        bool Named(OfferedSocket o) => o.Kind != OfferedSocket.AdminKind && o.IsDatagram == datagram && o.Listener == listener.Name && o.Bind == bind;
        bool Bound(OfferedSocket o) => o.Kind != OfferedSocket.AdminKind && o.IsDatagram == datagram && o.Address == bind;
        if (Has(Named)) return Named;
        return listener.Bind.Port != 0 && Has(Bound) ? Bound : null;
    }

    private Func<OfferedSocket, bool>? MatchAdmin(BindAddress bind)
    {
        var text = bind.ToString();
        bool Admin(OfferedSocket o) => o.Kind == OfferedSocket.AdminKind && (o.Bind == text || (bind.Port != 0 && o.Address == text));
        return Has(Admin) ? Admin : null;
    }

    private bool Has(Func<OfferedSocket, bool> matches)
    {
        lock (_gate) return _unclaimed.Exists(u => matches(u.Offer));
    }

    private Socket? Claim(Func<OfferedSocket, bool>? matches)
    {
        if (matches is null) return null;
        lock (_gate)
        {
            var index = _unclaimed.FindIndex(u => matches(u.Offer));
            if (index < 0) return null;
            var (offer, socket) = _unclaimed[index];
            _unclaimed.RemoveAt(index);
            if (offer.Address.Length > 0) _claimed++;
            return socket;
        }
    }

    private void Add(OfferedSocket offer, Socket socket)
    {
        lock (_gate) _unclaimed.Add((offer, socket));
    }

    // Bound as the planes bind their own (docs/l4.md, KestrelListener): the plane listens when it starts.
    private static Socket Bind(string what, BindAddress bind, bool datagram)
    {
        var endpoint = new IPEndPoint(bind.Address, bind.Port);
        var socket = datagram
            ? new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
            if (!datagram) socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endpoint);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new TakeoverFailedException($"{what} cannot bind {bind}: {e.Message}", e);
        }
    }
}
