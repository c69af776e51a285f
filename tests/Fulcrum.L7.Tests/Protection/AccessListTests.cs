using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;

namespace Fulcrum.L7.Tests.Protection;

/// <summary>`allow:` and `deny:` on a listener and a route, from clients on several 127.x addresses.</summary>
public sealed class AccessListTests
{
    [Fact]
    public async Task TheListenersDenyAndTheRoutesAllow_BothApply_AndDenyWins()
    {
        await using var backends = await Backends.StartAsync("a");
        var admin = Configs.ToPool("app", new MatchConfig { PathPrefix = "/admin" }) with
        {
            Name = "admin",
            Allow = ["127.0.0.0/30"],     // .0 to .3
            Deny = ["127.0.0.3/32"],      // but not .3
        };
        var listener = Configs.Web(admin, Configs.ToPool("app")) with { Deny = ["127.0.0.9/32"] };
        await using var proxy = await ProxyHarness.StartAsync(Configs.Of(listener, Configs.Pool("app", backends.All)));

        async Task<HttpStatusCode> StatusAsync(string source, string path)
        {
            using var response = await proxy.CreateClient(source: IPAddress.Parse(source)).GetAsync(path);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await StatusAsync("127.0.0.2", "/admin"));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync("127.0.0.3", "/admin"));   // denied though allowed
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync("127.0.0.5", "/admin"));   // not in allow
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("127.0.0.5", "/"));               // the other route has no allow list
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync("127.0.0.9", "/"));        // the listener's deny, on every route
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync("127.0.0.9", "/admin"));
        Assert.Equal(2, backends[0].Requests);

        long Count(string route, string decision, string reason = "") => proxy.Store.Protection.Counter("web", route, "access", decision, reason).Count;
        Assert.Equal(2, Count("*", "rejected", "denied-cidr"));
        Assert.Equal(4, Count("*", "allowed"));
        Assert.Equal((1, 1, 1), (Count("admin", "allowed"), Count("admin", "rejected", "denied-cidr"), Count("admin", "rejected", "not-allowed")));
    }
}
