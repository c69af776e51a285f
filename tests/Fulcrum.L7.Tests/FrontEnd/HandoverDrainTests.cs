using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.FrontEnd.Http1;
using Fulcrum.L7.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.L7.Tests.FrontEnd;

/// <summary>
/// The drain of a `front-end: fulcrum` listener after a takeover (docs/ha.md, "Zero-downtime upgrade"): the listener
/// closes its connections gently first and stops accepting after, so a client can still land on it in between. Its
/// drain must not look complete then, or the stop that follows cuts that client's connection before its answer.
/// </summary>
public sealed class HandoverDrainTests
{
    [Fact]
    public async Task AConnectionAcceptedAfterTheGentleClose_IsServed_AndTheDrainWaitsForTheEndOfAccepting()
    {
        var config = new ListenerConfig { Name = "web", Bind = new BindAddress(IPAddress.Loopback, 0) };
        var frontEnd = new Http1FrontEnd(() => config, () => null, Answer, null, null, TimeProvider.System, NullLogger.Instance);
        using var listen = frontEnd.Start(new IPEndPoint(IPAddress.Loopback, 0), inherited: null);

        frontEnd.CloseGently();
        Assert.False(frontEnd.Drained.IsCompleted); // still accepting

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync((IPEndPoint)listen.LocalEndPoint!);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        var answer = await RawSocket.ReadToCloseAsync(client);
        Assert.StartsWith("HTTP/1.1 204 ", answer);
        Assert.Contains("Connection: close", answer, StringComparison.OrdinalIgnoreCase);

        await frontEnd.StopAcceptingAsync();
        await frontEnd.Drained.WaitAsync(Poll.Deadline);
    }

    private static Task Answer(HttpExchange exchange)
    {
        exchange.Status = 204;
        return Task.CompletedTask;
    }
}
