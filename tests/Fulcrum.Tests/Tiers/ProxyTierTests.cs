using System.Net;
using System.Net.Sockets;
using Fulcrum.Tests.Infrastructure;
using Fulcrum.TestSupport.Http;

namespace Fulcrum.Tests.Tiers;

/// <summary>
/// Two tiers of real `fulcrum run` processes: an L4 tier (tcp listeners whose pools send PROXY v2 or v1) in front of
/// an L7 tier (an http listener with accept-proxy: true). The backends behind the L7 tier see the client the L4 tier
/// accepted, and the L7 tier's ip-hash balances by it.
/// </summary>
public sealed class ProxyTierTests
{
    [Fact]
    public async Task L4TierSendingProxyHeaders_GivesTheL7TierTheRealClient_ForXForwardedForAndIpHash()
    {
        await using var backends = await Fulcrum.TestSupport.Http.Backends.StartAsync("a", "b", "c");
        using var l7File = new ConfigFile($"""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                accept-proxy: true
                routes: [ {"{"} pool: app {"}"} ]
            pools:
              - name: app
                algorithm: ip-hash
                backends:
            {string.Join('\n', backends.All.Select(b => $"      - {{ name: {b.Name}, address: {b.Address} }}"))}
            """);
        await using var l7 = FulcrumProcess.Start("run", "-c", l7File.Path);
        var web = await l7.WaitForListenerAsync("web");

        using var l4File = new ConfigFile($"""
            listeners:
              - name: edge-v2
                bind: 127.0.0.1:0
                protocol: tcp
                pool: tier-v2
              - name: edge-v1
                bind: 127.0.0.1:0
                protocol: tcp
                pool: tier-v1
            pools:
              - name: tier-v2
                proxy-protocol: v2
                backends: [ {"{"} address: 127.0.0.1:{web.Port} {"}"} ]
              - name: tier-v1
                proxy-protocol: v1
                backends: [ {"{"} address: 127.0.0.1:{web.Port} {"}"} ]
            """);
        await using var l4 = FulcrumProcess.Start("run", "-c", l4File.Path);
        var edgeV2 = await l4.WaitForListenerAsync("edge-v2");
        var edgeV1 = await l4.WaitForListenerAsync("edge-v1");

        var servedBy = new Dictionary<string, string>();
        for (var i = 2; i <= 25; i++)
        {
            var source = IPAddress.Parse($"127.0.0.{i}");
            foreach (var edge in (Uri[])[edgeV2, edgeV1])
            {
                using var client = ClientFrom(source, edge.Port);
                using var request = new HttpRequestMessage(HttpMethod.Get, "/echo");
                request.Headers.Add("X-Forwarded-For", "198.51.100.66"); // forged: the L7 tier trusts no one's headers
                using var response = await client.SendAsync(request);
                var echo = TestBackend.Echo.Parse(await response.Content.ReadAsStringAsync());

                Assert.Equal(source.ToString(), echo.Header("X-Forwarded-For"));
                if (servedBy.TryGetValue(source.ToString(), out var first)) Assert.Equal(first, echo.Backend);
                else servedBy[source.ToString()] = echo.Backend;
            }
        }

        // Every connection reached the L7 tier from the L4 tier's own 127.0.0.1: by that, one backend would take all.
        Assert.True(servedBy.Values.Distinct().Count() >= 2, string.Join(",", servedBy.Values));

        // Straight to the L7 tier, without a PROXY header: closed, no answer, no backend reached.
        var before = backends.All.Sum(b => b.Requests);
        using var direct = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await direct.ConnectAsync(IPAddress.Loopback, web.Port);
        await direct.SendAsync("GET /echo HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await direct.ReceiveAsync(new byte[512], SocketFlags.None, deadline.Token));
        Assert.Equal(before, backends.All.Sum(b => b.Requests));
    }

    // A new connection per client, from its own loopback address (any 127.x works on Linux), to the L4 tier.
    private static HttpClient ClientFrom(IPAddress source, int port)
    {
        var handler = new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false };
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
    }
}
