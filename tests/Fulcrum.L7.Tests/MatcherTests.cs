using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests;

/// <summary>Each matcher: a route answering "hit" under one condition, in front of a catch-all answering "miss".</summary>
public sealed class MatcherTests
{
    private static async Task<ProxyHarness> StartAsync(MatchConfig match) =>
        await ProxyHarness.StartAsync(Of(Web(Respond("hit", match), Respond("miss"))));

    private static async Task<string> SendAsync(ProxyHarness proxy, HttpRequestMessage request)
    {
        using var response = await proxy.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static HttpRequestMessage Get(string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private static HttpRequestMessage WithHost(string host)
    {
        var request = Get("/");
        request.Headers.Host = host;
        return request;
    }

    [Fact]
    public async Task Host_MatchesExactNameIgnoringCaseAndPort()
    {
        await using var proxy = await StartAsync(new MatchConfig { Hosts = List("api.example.com") });
        Assert.Equal("hit", await SendAsync(proxy, WithHost("API.example.com:8080")));
        Assert.Equal("miss", await SendAsync(proxy, WithHost("www.example.com")));
    }

    [Fact]
    public async Task Host_Wildcard_MatchesSubdomainsButNotTheApex()
    {
        await using var proxy = await StartAsync(new MatchConfig { Hosts = List("*.example.com") });
        Assert.Equal("hit", await SendAsync(proxy, WithHost("a.example.com")));
        Assert.Equal("hit", await SendAsync(proxy, WithHost("a.b.example.com")));
        Assert.Equal("miss", await SendAsync(proxy, WithHost("example.com")));
        Assert.Equal("miss", await SendAsync(proxy, WithHost("badexample.com")));
    }

    [Fact]
    public async Task PathPrefix_MatchesPathsStartingWithIt()
    {
        await using var proxy = await StartAsync(new MatchConfig { PathPrefix = "/api/" });
        Assert.Equal("hit", await SendAsync(proxy, Get("/api/users?x=1")));
        Assert.Equal("miss", await SendAsync(proxy, Get("/apiary")));
        Assert.Equal("miss", await SendAsync(proxy, Get("/API/users")));
    }

    [Fact]
    public async Task PathRegex_MatchesWhereTheRegexIsFound()
    {
        await using var proxy = await StartAsync(new MatchConfig { PathRegex = @"^/users/\d+$" });
        Assert.Equal("hit", await SendAsync(proxy, Get("/users/42")));
        Assert.Equal("miss", await SendAsync(proxy, Get("/users/bob")));
    }

    [Fact]
    public async Task Method_MatchesListedMethodsOnly()
    {
        await using var proxy = await StartAsync(new MatchConfig { Methods = List("post", "PUT") });
        Assert.Equal("hit", await SendAsync(proxy, new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("x") }));
        Assert.Equal("hit", await SendAsync(proxy, new HttpRequestMessage(HttpMethod.Put, "/") { Content = new StringContent("x") }));
        Assert.Equal("miss", await SendAsync(proxy, Get("/")));
    }

    [Fact]
    public async Task HeaderEquals_MatchesTheExactValue()
    {
        await using var proxy = await StartAsync(new MatchConfig { Headers = List(Value("X-Tenant", equals: "blue")) });
        Assert.Equal("hit", await SendAsync(proxy, Get("/", ("x-tenant", "blue"))));
        Assert.Equal("miss", await SendAsync(proxy, Get("/", ("X-Tenant", "bluegreen"))));
        Assert.Equal("miss", await SendAsync(proxy, Get("/")));
    }

    [Fact]
    public async Task HeaderContains_MatchesASubstring()
    {
        await using var proxy = await StartAsync(new MatchConfig { Headers = List(Value("User-Agent", contains: "Mobile")) });
        Assert.Equal("hit", await SendAsync(proxy, Get("/", ("User-Agent", "Mozilla/5.0 (iPhone) Mobile/15E148"))));
        Assert.Equal("miss", await SendAsync(proxy, Get("/", ("User-Agent", "curl/8.0"))));
    }

    [Fact]
    public async Task HeaderRegex_MatchesThePattern()
    {
        await using var proxy = await StartAsync(new MatchConfig { Headers = List(Value("X-Version", regex: @"^v[23]\.")) });
        Assert.Equal("hit", await SendAsync(proxy, Get("/", ("X-Version", "v3.1"))));
        Assert.Equal("miss", await SendAsync(proxy, Get("/", ("X-Version", "v1.9"))));
    }

    [Fact]
    public async Task HeaderPresent_MatchesAnyValueButNotAbsence()
    {
        await using var proxy = await StartAsync(new MatchConfig { Headers = List(Value("X-Debug")) });
        Assert.Equal("hit", await SendAsync(proxy, Get("/", ("X-Debug", "1"))));
        Assert.Equal("miss", await SendAsync(proxy, Get("/")));
    }

    [Fact]
    public async Task Cookie_MatchesTheNamedCookie()
    {
        await using var proxy = await StartAsync(new MatchConfig { Cookies = List(Value("beta", equals: "yes")) });
        Assert.Equal("hit", await SendAsync(proxy, Get("/", ("Cookie", "session=abc; beta=yes"))));
        Assert.Equal("miss", await SendAsync(proxy, Get("/", ("Cookie", "beta=no"))));
        Assert.Equal("miss", await SendAsync(proxy, Get("/")));
    }

    [Fact]
    public async Task Query_MatchesTheNamedParameter()
    {
        await using var proxy = await StartAsync(new MatchConfig { Query = List(Value("debug", equals: "true")) });
        Assert.Equal("hit", await SendAsync(proxy, Get("/search?q=x&debug=true")));
        Assert.Equal("miss", await SendAsync(proxy, Get("/search?q=x&debug=false")));
        Assert.Equal("miss", await SendAsync(proxy, Get("/search?q=debug")));
    }

    [Fact]
    public async Task ClientCidr_MatchesClientsInsideTheBlock()
    {
        await using var proxy = await StartAsync(new MatchConfig { ClientCidrs = List("127.0.0.8/29") });
        var inside = proxy.CreateClient(source: IPAddress.Parse("127.0.0.9"));
        var outside = proxy.CreateClient(source: IPAddress.Parse("127.0.0.2"));
        Assert.Equal("hit", await inside.GetStringAsync("/"));
        Assert.Equal("miss", await outside.GetStringAsync("/"));
    }

    [Fact]
    public async Task AllConditions_MustHold()
    {
        await using var proxy = await StartAsync(new MatchConfig { PathPrefix = "/api", Methods = List("GET"), Headers = List(Value("X-Debug")) });
        Assert.Equal("hit", await SendAsync(proxy, Get("/api", ("X-Debug", "1"))));
        Assert.Equal("miss", await SendAsync(proxy, Get("/api")));
        Assert.Equal("miss", await SendAsync(proxy, Get("/web", ("X-Debug", "1"))));
    }

    [Fact]
    public async Task FirstMatchingRoute_Wins()
    {
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(
            Respond("first", new MatchConfig { PathPrefix = "/a" }),
            Respond("second", new MatchConfig { PathPrefix = "/a/b" }))));
        Assert.Equal("first", await proxy.Client.GetStringAsync("/a/b"));
    }

    [Fact]
    public async Task NoMatchingRoute_Answers404()
    {
        await using var proxy = await ProxyHarness.StartAsync(Of(Web(Respond("hit", new MatchConfig { PathPrefix = "/a" }))));
        using var response = await proxy.Client.GetAsync("/b");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no route", await response.Content.ReadAsStringAsync());
        using var head = await proxy.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/b"));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }
}
