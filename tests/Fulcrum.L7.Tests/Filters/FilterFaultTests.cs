using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Filters;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.Filters;

/// <summary>A filter that throws must cost its own request, never the backend's lease or connection.</summary>
public sealed class FilterFaultTests
{
    [Fact]
    public async Task ResponseHookThrowing_Answers500_AndReleasesTheLeaseAndTheBackendConnection()
    {
        await using var backend = RawBackend.KeepAlive(_ => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        var route = ToPool("raw", new MatchConfig { PathPrefix = "/throw" }) with { Filters = [new FilterConfig { Name = "throwing" }] };
        var config = Of(Web(route, ToPool("raw")), backend.Pool("raw"));
        await using var proxy = await ProxyHarness.StartAsync(config, FilterRegistry.Default.With(new ThrowingFilter.Factory()));

        using var response = await proxy.Client.GetAsync("/throw");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(0, proxy.Pool("raw").Backends[0].Stats.Active);
        await Poll.UntilAsync(() => backend.ClosedByPeer == 1, "the backend connection of the failed answer to be closed");
        Assert.Equal("ok", await proxy.Client.GetStringAsync("/fine"));
    }
}
