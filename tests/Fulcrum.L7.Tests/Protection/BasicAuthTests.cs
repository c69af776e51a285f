using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;

namespace Fulcrum.L7.Tests.Protection;

/// <summary>`auth.basic` against an htpasswd file made by Apache's own `htpasswd -B` (apache2-utils).</summary>
public sealed class BasicAuthTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fulcrum-basic-").FullName;
    private Backends _backends = null!;

    public async Task InitializeAsync() => _backends = await Backends.StartAsync("a");

    public async Task DisposeAsync()
    {
        await _backends.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    // `htpasswd -nbB -C 4 USER PASSWORD`: a bcrypt line ($2y$) as Apache makes it; cost 4 keeps the test quick.
    private static string HtpasswdLine(string user, string password)
    {
        using var process = Process.Start(new ProcessStartInfo("htpasswd", ["-nbB", "-C", "4", user, password]) { RedirectStandardOutput = true })!;
        var line = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return line;
    }

    private static HttpRequestMessage Get(string? user, string? password, string path = "/echo")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (user is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        request.Headers.Add("X-Remote-User", "root"); // a client's claim to be someone, which must not reach the backend
        return request;
    }

    [Fact]
    public async Task RightCredentialsPass_WithTheUserForTheBackend_AndWrongOnesGet401WithABasicChallenge()
    {
        var file = Path.Combine(_dir, "users.htpasswd");
        await File.WriteAllLinesAsync(file, ["# the team", HtpasswdLine("alice", "wonder land"), "", HtpasswdLine("bob", "builder")]);
        var route = Configs.ToPool("app") with
        {
            Auth = new AuthConfig { Basic = new BasicAuthConfig { Htpasswd = file, Realm = "staff", UserHeader = "X-Remote-User" } },
        };
        await using var proxy = await ProxyHarness.StartAsync(Configs.Of(Configs.Web(route), Configs.Pool("app", _backends.All)));

        for (var i = 0; i < 2; i++) // the second time from the remembered verification
        {
            using var ok = await proxy.Client.SendAsync(Get("alice", "wonder land"));
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal("alice", TestBackend.Echo.Parse(await ok.Content.ReadAsStringAsync()).Header("X-Remote-User"));
        }

        foreach (var (user, password) in new (string?, string?)[] { (null, null), ("alice", "wrong"), ("mallory", "builder") })
        {
            using var refused = await proxy.Client.SendAsync(Get(user, password));
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("Basic realm=\"staff\", charset=\"UTF-8\"", refused.Headers.WwwAuthenticate.ToString());
        }

        Assert.Equal(2, _backends[0].Requests);
        long Count(string decision, string reason = "") => proxy.Store.Protection.Counter("web", "web#1", "auth", decision, reason).Count;
        Assert.Equal((2, 1, 1, 1), (Count("allowed"), Count("rejected", "no-credentials"), Count("rejected", "bad-password"), Count("rejected", "unknown-user")));
    }
}
