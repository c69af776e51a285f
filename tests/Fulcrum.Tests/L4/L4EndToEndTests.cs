using System.Net;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.Hosting;
using Fulcrum.TestSupport.Tcp;
using Fulcrum.TestSupport.Udp;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.Tests.L4;

/// <summary>tcp and udp listeners from a YAML file, served by the host, drained through the admin API.</summary>
public sealed class L4EndToEndTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TcpAndUdpListenersFromYaml_Serve_AndADrainedBackendKeepsItsConnectionUntilDrainTimeout()
    {
        using var b1 = TestBackend.Named("b1");
        using var b2 = TestBackend.Named("b2");
        using var udp = new UdpEchoBackend();
        var yaml = $"""
            admin:
              bind: 127.0.0.1:0
            listeners:
              - name: db
                bind: 127.0.0.1:0
                protocol: tcp
                pool: db
              - name: dns
                bind: 127.0.0.1:0
                protocol: udp
                pool: dns
            pools:
              - name: db
                drain-timeout: 2s
                backends:
                  - {"{"} name: b1, address: {b1.Address} {"}"}
                  - {"{"} name: b2, address: {b2.Address} {"}"}
              - name: dns
                backends: [ {"{"} address: {udp.Address} {"}"} ]
            """;
        var loaded = ConfigLoader.LoadText(yaml, "l4.yaml");
        Assert.True(loaded.IsValid, string.Join('\n', loaded.Errors));
        await using var host = new BalancerHost(loaded.Config!, NullLoggerFactory.Instance);
        await host.StartAsync(watchConfigFile: false);
        using var admin = new HttpClient { BaseAddress = new Uri($"http://{host.AdminEndpoint}/"), Timeout = Deadline };

        // udp: a datagram goes through and its reply comes back.
        using (var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            client.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            await client.SendToAsync("ping"u8.ToArray(), SocketFlags.None, host.BoundEndpoints["dns"]);
            var buffer = new byte[64];
            using var timeout = new CancellationTokenSource(Deadline);
            var n = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            Assert.Equal("ping", Encoding.ASCII.GetString(buffer, 0, n));
        }

        // tcp: round-robin, then drain b1 through the admin API.
        using var old = await ConnectAsync(host.BoundEndpoints["db"]);
        Assert.Equal("b1", await ReadLineAsync(old));
        using (var drain = await admin.PostAsync("api/pools/db/backends/b1/drain", null))
        {
            Assert.Equal(HttpStatusCode.OK, drain.StatusCode);
        }

        for (var i = 0; i < 3; i++)
        {
            using var c = await ConnectAsync(host.BoundEndpoints["db"]);
            Assert.Equal("b2", await ReadLineAsync(c));
        }

        await old.SendAsync("still\n"u8.ToArray(), SocketFlags.None);
        Assert.Equal("still", await ReadLineAsync(old));
        Assert.True(await IsClosedAsync(old), "the drained backend's connection ends at drain-timeout");
        await host.StopAsync(TimeSpan.FromSeconds(5));
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint endpoint)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(endpoint);
        return s;
    }

    // Closed by FIN or by reset: both end the connection.
    private static async Task<bool> IsClosedAsync(Socket s)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            return await s.ReceiveAsync(new byte[1], SocketFlags.None, timeout.Token) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static async Task<string> ReadLineAsync(Socket s)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        using var timeout = new CancellationTokenSource(Deadline);
        while (await s.ReceiveAsync(one, SocketFlags.None, timeout.Token) == 1 && one[0] != '\n') line.Append((char)one[0]);
        return line.ToString();
    }
}
