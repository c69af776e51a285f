using System.Text;
using Fulcrum.TestSupport.Http;
using Fulcrum.TestSupport.Udp;
using TcpBackend = Fulcrum.TestSupport.Tcp.TestBackend;

namespace Fulcrum.Bench.Upgrade;

/// <summary>The backends, in this process on 127.0.0.1: two HTTP servers that answer their name, a tcp echo that greets with its name, a udp echo.</summary>
public sealed class UpgradeBackends : IAsyncDisposable
{
    private UpgradeBackends(HandlerBackend[] web, TcpBackend stream, UdpEchoBackend datagram)
    {
        Web = web;
        Stream = stream;
        Datagram = datagram;
    }

    public HandlerBackend[] Web { get; }
    public TcpBackend Stream { get; }
    public UdpEchoBackend Datagram { get; }

    public static async Task<UpgradeBackends> StartAsync()
    {
        var web = new HandlerBackend[2];
        for (var i = 0; i < web.Length; i++)
        {
            var name = Encoding.ASCII.GetBytes($"web-{i + 1}");
            web[i] = await HandlerBackend.StartAsync(context => context.Response.Body.WriteAsync(name).AsTask());
        }

        return new UpgradeBackends(web, TcpBackend.Named("tcp-1"), new UdpEchoBackend("udp-1"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var backend in Web) await backend.DisposeAsync();
        Stream.Dispose();
        Datagram.Dispose();
    }
}
