using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Fulcrum.L7.Hosting;
using Fulcrum.L7.Tests.Support;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Fulcrum.L7.Tests.Hosting;

/// <summary>
/// The Kestrel front end's transport after a takeover: a drain that counts connections is complete only if every
/// connection the listener handed out is counted by the time accepting has stopped, including one whose accept was
/// finishing while the listener was unbound.
/// </summary>
public sealed class AcceptGateTests
{
    [Fact]
    public async Task OnceAcceptingHasStopped_EveryConnectionAcceptedWasReported()
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var reported = new ConcurrentDictionary<ConnectionContext, byte>();
            var gate = new AcceptGate(new SocketTransportFactory(Options.Create(new SocketTransportOptions()), NullLoggerFactory.Instance),
                connection => reported.TryAdd(connection, 0));
            await using var listener = await gate.BindAsync(new IPEndPoint(IPAddress.Loopback, 0));
            var accepting = listener.AcceptAsync().AsTask(); // as Kestrel's accept loop waits

            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync((IPEndPoint)listener.EndPoint);
            await gate.StopAcceptingAsync(); // at once: the accept may still be finishing

            Assert.True(accepting.IsCompleted, "stopping returned while an accept was under way");
            var connection = await accepting.WaitAsync(Poll.Deadline);
            if (connection is null) continue; // the unbind came first: the client is refused, nothing to count
            Assert.True(reported.ContainsKey(connection), "an accepted connection was not reported before stopping returned");
            await connection.DisposeAsync();
        }
    }
}
