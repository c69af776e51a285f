using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Takeover;

/// <summary>
/// The listening sockets a new process received from the one it takes over from, until its listeners claim them. A
/// listener claims the socket offered for the same name and configured bind (so `127.0.0.1:0` finds the port the old
/// process was given), else, for a fixed port, the one bound to the same address whatever its name; udp claims only a
/// datagram socket and the others only stream ones; the admin API claims only the admin socket. What no listener
/// claims (a listener the new config dropped or moved) is closed once the new process serves.
/// </summary>
internal sealed class InheritedSockets : IDisposable
{
    private readonly object _gate = new();
    private readonly List<(OfferedSocket Offer, int Descriptor)> _unclaimed;
    private readonly List<int> _all;

    public InheritedSockets(IReadOnlyList<OfferedSocket> offers, IReadOnlyList<int> descriptors)
    {
        if (offers.Count != descriptors.Count)
        {
            CloseShared(descriptors);
            throw new InvalidDataException($"{descriptors.Count} descriptors came for {offers.Count} sockets");
        }

        _all = [.. descriptors];
        _unclaimed = [];
        for (var i = 0; i < offers.Count; i++) _unclaimed.Add((offers[i], descriptors[i]));
    }

    public int Count => _all.Count;

    /// <summary>How many were claimed so far.</summary>
    public int Claimed
    {
        get
        {
            lock (_gate) return _all.Count - _unclaimed.Count;
        }
    }

    /// <summary>The socket inherited for <paramref name="listener"/>, now owned by the caller; null when none matches.</summary>
    public Socket? ForListener(ListenerConfig listener)
    {
        var datagram = listener.Protocol == ListenerProtocol.Udp;
        return Claim(offer => offer.Kind != OfferedSocket.AdminKind && offer.IsDatagram == datagram && offer.Listener == listener.Name && offer.Bind == listener.Bind.ToString())
            ?? (listener.Bind.Port == 0 ? null : Claim(offer => offer.Kind != OfferedSocket.AdminKind && offer.IsDatagram == datagram && offer.Address == listener.Bind.ToString()));
    }

    /// <summary>The admin API's inherited socket for <paramref name="bind"/>; null when none matches.</summary>
    public Socket? ForAdmin(BindAddress bind) =>
        Claim(offer => offer.Kind == OfferedSocket.AdminKind && (offer.Bind == bind.ToString() || (bind.Port != 0 && offer.Address == bind.ToString())));

    /// <summary>
    /// Clears close-on-exec on every inherited descriptor, claimed or not (see <see cref="ScmRights.MarkShared"/>), before
    /// this process may close any of them while the other process still serves from them: a failed start.
    /// </summary>
    public void MarkShared()
    {
        foreach (var descriptor in _all) ScmRights.MarkShared(descriptor);
    }

    /// <summary>Closes the sockets no listener claimed.</summary>
    public void CloseUnclaimed()
    {
        List<int> left;
        lock (_gate)
        {
            left = [.. _unclaimed.Select(u => u.Descriptor)];
            _unclaimed.Clear();
        }

        CloseShared(left);
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

    private Socket? Claim(Func<OfferedSocket, bool> matches)
    {
        int descriptor;
        lock (_gate)
        {
            var index = _unclaimed.FindIndex(u => matches(u.Offer));
            if (index < 0) return null;
            descriptor = _unclaimed[index].Descriptor;
            _unclaimed.RemoveAt(index);
        }

        return new Socket(new SafeSocketHandle(descriptor, ownsHandle: true));
    }

    /// <summary>The address a socket is bound to, as <see cref="OfferedSocket.Address"/> writes it.</summary>
    public static string AddressOf(Socket socket) => socket.LocalEndPoint is IPEndPoint ip
        ? new BindAddress(ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address, ip.Port).ToString()
        : "";
}
