using System.Net;
using System.Net.Sockets;

namespace Fulcrum.Bench.Soak;

/// <summary>
/// Free ports on 127.0.0.1, chosen by the OS: each one bound to port 0 and released once all are known, so no two
/// are the same. Fulcrum's listeners need fixed ports because every reload rewrites the file, and a listener whose
/// bind changes is restarted; the backends need theirs to come back where the config says after a kill.
/// </summary>
public sealed record SoakPorts(int Admin, int Http, int Https, int Tcp, int Udp, int[] Web, int[] Stream, int[] Datagram)
{
    public const int BackendsPerPool = 4;

    public static SoakPorts Choose()
    {
        var held = new List<Socket>();
        try
        {
            int Take(SocketType type, ProtocolType protocol)
            {
                var s = new Socket(AddressFamily.InterNetwork, type, protocol);
                held.Add(s);
                s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                return ((IPEndPoint)s.LocalEndPoint!).Port;
            }

            int Tcp() => Take(SocketType.Stream, ProtocolType.Tcp);
            int Udp() => Take(SocketType.Dgram, ProtocolType.Udp);
            int[] Many(Func<int> take) => [.. Enumerable.Range(0, BackendsPerPool).Select(_ => take())];
            return new SoakPorts(Tcp(), Tcp(), Tcp(), Tcp(), Udp(), Many(Tcp), Many(Tcp), Many(Udp));
        }
        finally
        {
            foreach (var s in held) s.Dispose();
        }
    }
}
