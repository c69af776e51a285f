using System.Net.Sockets;
using Fulcrum.Hosting;

namespace Fulcrum.Takeover;

/// <summary>
/// Every listening socket of a running host (http, https, tcp, udp and dns listeners, and the admin API) with what it is,
/// each held open (a reference on its handle) while it is handed over, so a reload that stops a listener meanwhile cannot
/// close the descriptor, or let another socket take its number, under the sendmsg.
/// </summary>
internal sealed class HandoverSockets : IDisposable
{
    private readonly List<SafeSocketHandle> _held = [];

    private HandoverSockets()
    {
    }

    public List<OfferedSocket> Offers { get; } = [];
    public List<int> Descriptors { get; } = [];

    public static HandoverSockets Gather(BalancerHost host)
    {
        var gathered = new HandoverSockets();
        foreach (var plane in new[] { host.Http.ListeningSockets, host.Tcp.ListeningSockets, host.Udp.ListeningSockets })
        {
            foreach (var (listener, socket) in plane)
            {
                gathered.Add(socket, listener.Name, InheritedSockets.Kind(listener.Protocol), listener.Bind.ToString());
            }
        }

        foreach (var (listener, udp, tcp) in host.Dns.ListeningSockets)
        {
            gathered.Add(udp, listener.Name, OfferedSocket.DnsDatagramKind, listener.Bind.ToString());
            gathered.Add(tcp, listener.Name, InheritedSockets.Kind(listener.Protocol), listener.Bind.ToString());
        }

        if (host.Admin is { ListenSocket: { } admin } server)
        {
            gathered.Add(admin, "", OfferedSocket.AdminKind, server.Bind.ToString());
        }

        return gathered;
    }

    /// <summary>See <see cref="ScmRights.MarkShared"/>: once another process serves from these sockets.</summary>
    public void MarkShared()
    {
        foreach (var descriptor in Descriptors) ScmRights.MarkShared(descriptor);
    }

    public void Dispose()
    {
        foreach (var handle in _held) handle.DangerousRelease();
        _held.Clear();
    }

    private void Add(Socket socket, string listener, string kind, string bind)
    {
        SafeSocketHandle handle;
        string address;
        var added = false;
        try
        {
            handle = socket.SafeHandle;
            handle.DangerousAddRef(ref added);
            address = InheritedSockets.AddressOf(socket);
        }
        catch (ObjectDisposedException)
        {
            if (added) socket.SafeHandle.DangerousRelease();
            return; // stopped by a reload just now: nothing to hand over
        }

        _held.Add(handle);
        Descriptors.Add((int)handle.DangerousGetHandle());
        Offers.Add(new OfferedSocket { Listener = listener, Kind = kind, Bind = bind, Address = address });
    }
}
