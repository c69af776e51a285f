using System.Collections.Immutable;
using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests;

public sealed class ActionTests
{
    [Fact]
    public async Task Split90To10_Over2000Requests_LandsWithin3Points()
    {
        await using var backends = await Backends.StartAsync("stable", "canary");
        var split = new RouteConfig { Split = [new SplitTarget("web", 90, SourceLocation.None), new SplitTarget("web-next", 10, SourceLocation.None)] };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(split), Pool("web", backends[0]), Pool("web-next", backends[1])));

        var canary = 0;
        for (var i = 0; i < 2000; i++)
        {
            if (await proxy.Client.GetStringAsync("/") == "canary") canary++;
        }

        Assert.InRange(canary / 2000.0, 0.07, 0.13);
        Assert.Equal(2000, backends[0].Requests + backends[1].Requests);
    }

    [Fact]
    public async Task Redirect_ChangingScheme_KeepsHostPathAndQuery_AndDropsThePort()
    {
        var redirect = new RouteConfig { Redirect = new RedirectConfig { Scheme = "https", Status = 301 } };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(redirect)));
        var request = new HttpRequestMessage(HttpMethod.Get, "/docs/a%20b?x=1&y=2");
        request.Headers.Host = "shop.example.com:8080";

        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal("https://shop.example.com/docs/a%20b?x=1&y=2", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Redirect_WithToPath_ReplacesPathAndQuery_AndKeepsHostAndPort()
    {
        var redirect = new RouteConfig { Redirect = new RedirectConfig { To = "/new-home" } };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(redirect)));
        var request = new HttpRequestMessage(HttpMethod.Get, "/old?x=1");
        request.Headers.Host = "example.com:8080";

        using var response = await proxy.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal("http://example.com:8080/new-home", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Redirect_WithHostAndPort_ChangesThem()
    {
        var redirect = new RouteConfig { Redirect = new RedirectConfig { Host = "www.example.com", Port = 9000, Status = 308 } };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(redirect)));

        using var response = await proxy.Client.GetAsync("/p?q=1");

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal("http://www.example.com:9000/p?q=1", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Redirect_WithAbsoluteTo_UsesItAsIs()
    {
        var redirect = new RouteConfig { Redirect = new RedirectConfig { To = "https://status.example.com/", Status = 307 } };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(redirect)));

        using var response = await proxy.Client.GetAsync("/anything?x=1");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal("https://status.example.com/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task FixedResponse_SendsStatusBodyContentTypeAndHeaders()
    {
        var respond = new RouteConfig
        {
            Respond = new FixedResponseConfig
            {
                Status = 503,
                Body = "{\"status\":\"maintenance\"}",
                ContentType = "application/json",
                Headers = ImmutableDictionary<string, string>.Empty.Add("Retry-After", "120"),
            },
        };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(respond)));

        using var response = await proxy.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("{\"status\":\"maintenance\"}", await response.Content.ReadAsStringAsync());
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("120", response.Headers.GetValues("Retry-After").Single());
    }

    [Fact]
    public async Task FixedResponse204_SendsNoBodyEvenWhenOneIsConfigured()
    {
        var respond = new RouteConfig { Respond = new FixedResponseConfig { Status = 204, Body = "ignored" } };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(respond)));

        using var response = await proxy.Client.GetAsync("/");
        using var head = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, head.StatusCode);
    }

    [Fact]
    public async Task ListenerWithOnlyAPool_SendsEverythingThere()
    {
        await using var backends = await Backends.StartAsync("only");
        var listener = Web() with { Pool = "app" };
        await using var proxy = await ProxyHarness.StartAsync(Of(listener, Pool("app", backends.All)));

        Assert.Equal("only", await proxy.Client.GetStringAsync("/any/path"));
    }
}
