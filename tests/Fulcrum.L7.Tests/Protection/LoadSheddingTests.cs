using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Protection;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.Protection;

/// <summary>
/// A pool's `adaptive-concurrency` with route priorities, against a hanging backend so the requests in flight are
/// exactly those admitted. The limit is held at 10: a fixed minRTT and min-concurrency 10, and no answer ever comes
/// back to move it. (How the limit follows latency under real overload: OverloadTests in Fulcrum.Tests.)
/// </summary>
public sealed class LoadSheddingTests
{
    [Fact]
    public async Task AtTheLimit_LowPriorityIsShedFirst_ThenNormal_AndHighGetsTheLastPlaces()
    {
        await using var hung = await HoldingBackend.StartAsync();
        var pool = new PoolConfig
        {
            Name = "api",
            Backends = [new BackendConfig { Address = hung.Address }],
            AdaptiveConcurrency = new AdaptiveConcurrencyConfig { FixedMinRtt = TimeSpan.FromMilliseconds(10), MinConcurrency = 10 },
        };
        var routes = new[]
        {
            ToPool("api", new MatchConfig { PathPrefix = "/high" }) with { Name = "high", Priority = RequestPriority.High },
            ToPool("api", new MatchConfig { PathPrefix = "/low" }) with { Name = "low", Priority = RequestPriority.Low },
            ToPool("api") with { Name = "normal" },
        };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(routes), pool));
        var admission = proxy.Pool("api").Admission!;
        var held = new List<Task<HttpResponseMessage>>();

        async Task FillAsync(string path, int count)
        {
            for (var i = 0; i < count; i++) held.Add(proxy.Client.GetAsync(path));
            var expected = held.Count;
            await Poll.UntilAsync(() => hung.Arrived == expected, $"{expected} requests held");
        }

        async Task<string> RefusedAsync(string path)
        {
            using var response = await proxy.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }

        await FillAsync("/low", 5); // low may fill half of the limit
        Assert.Contains("keeps the rest for higher-priority requests", await RefusedAsync("/low"));
        await FillAsync("/", 4); // normal may fill 90%
        Assert.Contains("keeps the rest for higher-priority requests", await RefusedAsync("/"));
        Assert.Contains("keeps the rest", await RefusedAsync("/low"));
        await FillAsync("/high", 1); // high may fill all of it
        Assert.Contains("at its concurrency limit", await RefusedAsync("/high"));

        Assert.Equal(10, hung.Arrived);
        Assert.Equal((10, 10), (admission.Limited, admission.Concurrency!.Limit));
        var shed = proxy.Store.Protection.All.Where(c => c.Protection == "shed").ToDictionary(c => (c.Route, c.Decision, c.Reason), c => c.Count);
        Assert.Equal(2, shed[("low", "rejected", "low-priority")]);
        Assert.Equal(1, shed[("normal", "rejected", "low-priority")]);
        Assert.Equal(1, shed[("high", "rejected", "concurrency-limit")]);
        Assert.Equal(5, shed[("low", "allowed", "")]);
        Assert.Equal((3L, 1L), (admission.Refused(AdmissionDecision.LowPriority), admission.Refused(AdmissionDecision.ConcurrencyLimit)));

        hung.Release();
        foreach (var response in await Task.WhenAll(held)) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Poll.UntilAsync(() => admission.Limited == 0, "every admitted request counted out");
    }
}
