using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests;

/// <summary>Regex rewrites and values with variables on real requests (docs/routing.md, "Variables").</summary>
public sealed class VariableTests
{
    private static ValueTemplate T(string text) => ValueTemplate.Parse(text, out _)!;

    private static async Task<TestBackend.Echo> EchoAsync(HttpClient client, string path, string? host = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (host is not null) request.Headers.Host = host;
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return TestBackend.Echo.Parse(await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ARewrite_TurnsThePathIntoItsTarget_WithTheRegexsCaptures_AndKeepsTheQuery()
    {
        await using var backends = await Backends.StartAsync("echo");
        var transforms = new TransformsConfig
        {
            Rewrite = new RewriteConfig { Regex = "^/u/(?<user>[0-9]+)/(.*)$", To = T("/users/${user}/${1}") },
            AddPrefix = "/echo",
        };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(ToPool("app", transforms: transforms)), Pool("app", backends.All)));

        var rewritten = await EchoAsync(proxy.Client, "/u/42/photos%20x?size=big");
        var untouched = await EchoAsync(proxy.Client, "/echo/other"); // no match: only the prefix

        Assert.Equal("/echo/users/42/photos x", rewritten.Path);
        Assert.Equal("?size=big", rewritten.Query);
        Assert.Equal("/echo/echo/other", untouched.Path);
    }

    [Fact]
    public async Task HeaderValues_GetTheClientTheRequestAndThePathRegexsCaptures()
    {
        await using var backends = await Backends.StartAsync("echo");
        var transforms = new TransformsConfig
        {
            RequestHeaders = new HeaderEdits
            {
                Set = [new("X-Client", "${client_ip}"), new("X-Seen", "${scheme}://${host}${path}?${query} by ${method}"), new("X-Tenant", "${tenant}-${1}")],
                Add = [new("X-Request", "id=${request_id}")],
            },
            ResponseHeaders = new HeaderEdits { Set = [new("X-Tenant-Echo", "${tenant}"), new("X-Literal", "costs $5, not $${tenant}")] },
        };
        var route = ToPool("app", new MatchConfig { PathRegex = "^/echo/(?<tenant>[a-z]+)" }, transforms);
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(route), Pool("app", backends.All)));

        var request = new HttpRequestMessage(HttpMethod.Get, "/echo/blue/x?a=1");
        request.Headers.Host = "shop.example:8080";
        using var response = await proxy.Client.SendAsync(request);
        var echo = TestBackend.Echo.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("127.0.0.1", echo.Header("X-Client"));
        Assert.Equal("http://shop.example/echo/blue/x?a=1 by GET", echo.Header("X-Seen"));
        Assert.Equal("blue-blue", echo.Header("X-Tenant"));
        Assert.Equal("id=" + echo.Header("X-Request-ID"), echo.Header("X-Request"));
        Assert.Equal("blue", response.Headers.GetValues("X-Tenant-Echo").Single());
        Assert.Equal("costs $5, not ${tenant}", response.Headers.GetValues("X-Literal").Single());
    }

    [Fact]
    public async Task ACaptureOfEncodedLineBreaks_CannotSplitAHeader()
    {
        await using var backends = await Backends.StartAsync("echo");
        var transforms = new TransformsConfig { ResponseHeaders = new HeaderEdits { Set = [new("X-Name", "${1}")] } };
        var route = ToPool("app", new MatchConfig { PathRegex = "(?s)^/echo/(.*)$" }, transforms);
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(route), Pool("app", backends.All)));

        using var response = await proxy.Client.GetAsync("/echo/a%0d%0aSet-Cookie:%20evil=1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("a%0D%0ASet-Cookie: evil=1", response.Headers.GetValues("X-Name").Single());
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task ARedirect_FillsItsTarget_FromTheHostAndThePathRegex()
    {
        var absolute = new RouteConfig
        {
            Match = new MatchConfig { PathRegex = "^/old/(?<id>[0-9]+)$" },
            Redirect = new RedirectConfig { To = "https://${host}/new/${id}?from=${1}", ToTemplate = T("https://${host}/new/${id}?from=${1}"), Status = 301 },
        };
        var path = new RouteConfig
        {
            Match = new MatchConfig { PathRegex = "^/docs/(.+)$" },
            Redirect = new RedirectConfig { To = "/manual/${1}", ToTemplate = T("/manual/${1}") },
        };
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(absolute, path)));

        var request = new HttpRequestMessage(HttpMethod.Get, "/old/42");
        request.Headers.Host = "shop.example:8080";
        using var moved = await proxy.Client.SendAsync(request);
        using var docs = await proxy.Client.GetAsync("/docs/a%20b%22c");

        Assert.Equal(HttpStatusCode.MovedPermanently, moved.StatusCode);
        Assert.Equal("https://shop.example/new/42?from=42", moved.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Found, docs.StatusCode);
        Assert.Equal($"http://127.0.0.1:{proxy.Url().Port}/manual/a%20b%22c", docs.Headers.Location!.OriginalString);
    }
}
