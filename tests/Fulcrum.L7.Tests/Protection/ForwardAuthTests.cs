using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Tests.Protection;

/// <summary>`auth.forward` to an auth service on a real Kestrel, as nginx's auth_request and Traefik's ForwardAuth.</summary>
public sealed class ForwardAuthTests : IAsyncLifetime
{
    private Backends _backends = null!;
    private HandlerBackend _auth = null!;
    private volatile string? _sawUri;
    private volatile string? _sawSpoofed;

    public async Task InitializeAsync()
    {
        _backends = await Backends.StartAsync("a");
        _auth = await HandlerBackend.StartAsync(AuthorizeAsync);
    }

    public async Task DisposeAsync()
    {
        await _auth.DisposeAsync();
        await _backends.DisposeAsync();
    }

    // Lets `X-Api-Key: good` in as alice, sends a browser without a key to a login page, refuses a wrong key.
    private async Task AuthorizeAsync(HttpContext context)
    {
        _sawUri = context.Request.Headers["X-Forwarded-Uri"];
        _sawSpoofed = context.Request.Headers["X-Auth-User"];
        switch (context.Request.Headers["X-Api-Key"].ToString())
        {
            case "good":
                context.Response.Headers["X-Auth-User"] = "alice";
                context.Response.Headers["X-Auth-Roles"] = "reader";
                context.Response.Headers["X-Not-Copied"] = "secret";
                return;
            case "":
                context.Response.StatusCode = 302;
                context.Response.Headers.Location = "https://login.example/?next=" + context.Request.Headers["X-Forwarded-Uri"];
                return;
            default:
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate = "ApiKey realm=\"api\"";
                await context.Response.WriteAsync("bad key\n");
                return;
        }
    }

    private async Task<ProxyHarness> StartAsync(string url, TimeSpan? timeout = null)
    {
        var forward = new ForwardAuthConfig { Url = url, CopyHeaders = ["X-Auth-User", "X-Auth-Roles"], Timeout = timeout ?? TimeSpan.FromSeconds(5) };
        var route = Configs.ToPool("app") with { Auth = new AuthConfig { Forward = forward } };
        return await ProxyHarness.StartAsync(Configs.Of(Configs.Web(route), Configs.Pool("app", _backends.All)));
    }

    private static HttpRequestMessage Get(string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/echo/orders?id=7");
        if (key is not null) request.Headers.Add("X-Api-Key", key);
        request.Headers.Add("X-Auth-User", "root");
        return request;
    }

    [Fact]
    public async Task The2xxOfTheAuthService_LetsTheRequestThrough_WithItsHeadersCopied_AndOtherAnswersGoBackAsTheyCame()
    {
        await using var proxy = await StartAsync($"http://{_auth.Address}/check");

        using (var allowed = await proxy.Client.SendAsync(Get("good")))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            var echo = TestBackend.Echo.Parse(await allowed.Content.ReadAsStringAsync());
            Assert.Equal("alice", echo.Header("X-Auth-User"));      // the auth service's, not the client's "root"
            Assert.Equal("reader", echo.Header("X-Auth-Roles"));
            Assert.Null(echo.Header("X-Not-Copied"));
        }

        Assert.Equal("/echo/orders?id=7", _sawUri);
        Assert.Null(_sawSpoofed); // the client's copy of a copied header never reaches the auth service either

        using (var denied = await proxy.Client.SendAsync(Get("wrong")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            Assert.Equal("ApiKey realm=\"api\"", denied.Headers.WwwAuthenticate.ToString());
            Assert.Equal("bad key\n", await denied.Content.ReadAsStringAsync());
        }

        using (var login = await proxy.Client.SendAsync(Get(null)))
        {
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            Assert.Equal("https://login.example/?next=/echo/orders?id=7", login.Headers.Location!.OriginalString);
        }

        Assert.Equal(1, _backends[0].Requests);
        long Count(string decision, string reason = "") => proxy.Store.Protection.Counter("web", "web#1", "auth", decision, reason).Count;
        Assert.Equal((1, 2), (Count("allowed"), Count("rejected", "denied")));
    }

    [Fact]
    public async Task AnAuthServiceThatIsDown_Gets503_AndNothingReachesTheBackend()
    {
        var dead = await HandlerBackend.StartAsync(_ => Task.CompletedTask);
        var address = dead.Address;
        await dead.DisposeAsync();
        await using var proxy = await StartAsync($"http://{address}/check");

        using var response = await proxy.Client.SendAsync(Get("good"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(0, _backends[0].Requests);
        Assert.Equal(1, proxy.Store.Protection.Counter("web", "web#1", "auth", "rejected", "unavailable").Count);
    }
}
