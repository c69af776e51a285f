using System.Net.WebSockets;
using System.Text;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests;

public sealed class WebSocketTests
{
    [Fact]
    public async Task WebSocket_ThroughTheBalancer_EchoesAndCountsAsActiveUntilClosed()
    {
        await using var backends = await Backends.StartAsync("ws");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("chat")), Pool("chat", backends.All)));
        var stats = proxy.Pool("chat").Backends[0].Stats;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = new ClientWebSocket();

        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{proxy.Plane.BoundEndpoints["web"].Port}/ws"), timeout.Token);
        Assert.Equal(1, stats.Active);

        var buffer = new byte[1024];
        for (var i = 0; i < 100; i++)
        {
            var message = Encoding.UTF8.GetBytes($"message {i}");
            await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            var received = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.True(received.EndOfMessage);
            Assert.Equal($"message {i}", Encoding.UTF8.GetString(buffer, 0, received.Count));
            Assert.Equal(1, stats.Active);
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.Equal(WebSocketState.Closed, socket.State);
        await Poll.UntilAsync(() => stats.Active == 0, "the lease to be released after close");
        Assert.Equal(0, stats.Failures);
    }
}
