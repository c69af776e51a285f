using System.Net;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.BackendLeg;

/// <summary>Clients that go away while their requests wait on the backend must leave the proxy serving.</summary>
public sealed class AbortTests
{
    [Fact]
    public async Task ManyClientsAbortingMidRequest_LeaveTheProxyServingOthers()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app")), Pool("app", backends.All)));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        var clients = Enumerable.Range(0, 32).Select(_ => proxy.CreateClient()).ToArray();
        await Task.WhenAll(clients.Select(async client =>
        {
            for (var i = 0; i < 200 && DateTime.UtcNow < deadline; i++)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 30)));
                try
                {
                    using var response = await client.GetAsync("/?delay=10", timeout.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }));

        using var fresh = proxy.CreateClient();
        fresh.Timeout = TimeSpan.FromSeconds(5);
        for (var i = 0; i < 20; i++)
        {
            using var response = await fresh.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
