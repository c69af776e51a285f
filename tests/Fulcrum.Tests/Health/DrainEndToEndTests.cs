using System.Net;

namespace Fulcrum.Tests.Health;

public sealed class DrainEndToEndTests
{
    private const string Pool = """
            algorithm: round-robin
            drain-timeout: 30s
        """;

    [Fact]
    public async Task Drain_LetsTenSlowRequestsFinish_SendsNoNewOnes_AndTheApiReportsItEmpty()
    {
        await using var b1 = await HealthBackend.StartAsync("b1");
        await using var b2 = await HealthBackend.StartAsync("b2");
        await using var lb = await HealthHarness.StartAsync(HealthHarness.Yaml(Pool, b1, b2));

        // Park b1 so the ten slow requests all land on b2, then put it back.
        Assert.Equal(HttpStatusCode.OK, (await lb.Admin.PostAsync("api/pools/app/backends/b1/maintenance", null)).StatusCode);
        var slow = Enumerable.Range(0, 10).Select(_ => lb.Client.GetAsync("/?delay=4000")).ToArray();
        await Poll.UntilAsync(() => b2.Active == 10, "ten slow requests in flight on b2");
        Assert.Equal(HttpStatusCode.OK, (await lb.Admin.PostAsync("api/pools/app/backends/b1/ready", null)).StatusCode);

        using var drain = await lb.Admin.PostAsync("api/pools/app/backends/b2/drain", null);
        Assert.Equal(HttpStatusCode.OK, drain.StatusCode);
        var during = await lb.BackendViewAsync("b2");
        Assert.Equal("draining", during.GetProperty("state").GetString());
        Assert.Equal(10, during.GetProperty("drain").GetProperty("inFlight").GetInt64());
        Assert.True(during.GetProperty("drain").GetProperty("timeLeftSeconds").GetDouble() > 20);

        var requestsBefore = b2.Requests;
        for (var i = 0; i < 20; i++) Assert.Equal("b1", await lb.Client.GetStringAsync("/"));
        Assert.Equal(requestsBefore, b2.Requests);

        foreach (var response in await Task.WhenAll(slow))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("b2", await response.Content.ReadAsStringAsync());
            response.Dispose();
        }

        await Poll.UntilAsync(async () => (await lb.BackendViewAsync("b2")).GetProperty("drain").GetProperty("drained").GetBoolean(), "b2 reported drained");
        var after = await lb.BackendViewAsync("b2");
        Assert.Equal(0, after.GetProperty("active").GetInt64());
        Assert.Equal("draining", after.GetProperty("state").GetString());
    }
}
