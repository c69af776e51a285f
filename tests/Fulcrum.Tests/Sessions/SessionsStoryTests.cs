using System.Net;
using Fulcrum.Samples.SessionDemo;
using Fulcrum.TestSupport.Peers;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Sessions;

/// <summary>
/// The story of docs/sessions.md, end to end through a real `fulcrum run`: an app that keeps sessions in
/// memory needs sticky sessions, loses them when its server crashes, and needs neither once the sessions
/// live in Redis.
/// </summary>
public sealed class SessionsStoryTests
{
    private static string Config(SessionDemoApp[] memory, SessionDemoApp[] shared)
    {
        static string Backends(SessionDemoApp[] apps) => string.Join("\n", apps.Select(a => $"      - {{ name: {a.Name}, address: {a.Address} }}"));
        return $"""
            listeners:
              - name: plain
                bind: 127.0.0.1:0
                protocol: http
                routes: [ {"{"} pool: memory {"}"} ]
              - name: sticky
                bind: 127.0.0.1:0
                protocol: http
                routes: [ {"{"} pool: memory-sticky {"}"} ]
              - name: shared
                bind: 127.0.0.1:0
                protocol: http
                routes: [ {"{"} pool: redis {"}"} ]
            pools:
              - name: memory
                backends:
            {Backends(memory)}
              - name: memory-sticky
                affinity: {"{"} mode: cookie, cookie: SERVERID {"}"}
                backends:
            {Backends(memory)}
              - name: redis
                backends:
            {Backends(shared)}
            """;
    }

    /// <summary>A browser: keeps every cookie it is given (the app's SESSION and Fulcrum's SERVERID).</summary>
    private static HttpClient Browser(Uri listener) =>
        new(new SocketsHttpHandler { UseCookies = true, CookieContainer = new CookieContainer(), UseProxy = false })
        {
            BaseAddress = listener,
            Timeout = TimeSpan.FromSeconds(30),
        };

    private static async Task<(HttpStatusCode Status, string Body)> WhoAmIAsync(HttpClient browser)
    {
        using var response = await browser.GetAsync("/whoami");
        return (response.StatusCode, (await response.Content.ReadAsStringAsync()).Trim());
    }

    private static async Task LoginAsync(HttpClient browser, string user)
    {
        using var response = await browser.PostAsync($"/login?user={user}", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string ServedBy(string body) => body[(body.LastIndexOf("by ", StringComparison.Ordinal) + 3)..^1];

    [Fact]
    public async Task MemorySessions_NeedAffinity_AndDieWithTheirServer_RedisSessionsNeedNeither()
    {
        await using var redis = await RedisServer.StartAsync();
        using var store = await RedisSessionStore.ConnectAsync(redis.Configuration);
        var memory = new[]
        {
            await SessionDemoApp.StartAsync("mem-1", new MemorySessionStore()),
            await SessionDemoApp.StartAsync("mem-2", new MemorySessionStore()),
            await SessionDemoApp.StartAsync("mem-3", new MemorySessionStore()),
        };
        var shared = new[]
        {
            await SessionDemoApp.StartAsync("redis-1", store),
            await SessionDemoApp.StartAsync("redis-2", store),
            await SessionDemoApp.StartAsync("redis-3", store),
        };
        var running = memory.Concat(shared).ToList();
        try
        {
            using var file = new ConfigFile(Config(memory, shared));
            await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
            var plain = await fulcrum.WaitForListenerAsync("plain");
            var sticky = await fulcrum.WaitForListenerAsync("sticky");
            var sharedUrl = await fulcrum.WaitForListenerAsync("shared");

            // 1. Memory sessions, no affinity: round-robin sends the second request to a server that never saw the login.
            using (var alice = Browser(plain))
            {
                await LoginAsync(alice, "alice");
                var answers = new List<HttpStatusCode>();
                for (var i = 0; i < 3; i++) answers.Add((await WhoAmIAsync(alice)).Status);
                Assert.Contains(HttpStatusCode.Unauthorized, answers);
            }

            // 2. Cookie affinity: the user stays on the server that holds the session.
            using var bob = Browser(sticky);
            await LoginAsync(bob, "bob");
            var home = "";
            for (var i = 0; i < 30; i++)
            {
                var (status, body) = await WhoAmIAsync(bob);
                Assert.Equal(HttpStatusCode.OK, status);
                Assert.StartsWith("bob", body);
                home = ServedBy(body);
            }

            // 3. Bob's server crashes: Fulcrum moves him to a live server (new SERVERID), which never heard of his session.
            var crashed = running.Single(a => a.Name == home);
            await crashed.DisposeAsync();
            running.Remove(crashed);
            var (afterCrash, crashBody) = await WhoAmIAsync(bob);
            Assert.Equal(HttpStatusCode.Unauthorized, afterCrash);
            Assert.NotEqual(home, ServedBy(crashBody));

            // 4. Sessions in Redis, no affinity: every server knows the user, and a crash loses nothing.
            using var carol = Browser(sharedUrl);
            await LoginAsync(carol, "carol");
            var servers = new HashSet<string>();
            for (var i = 0; i < 9; i++)
            {
                var (status, body) = await WhoAmIAsync(carol);
                Assert.Equal(HttpStatusCode.OK, status);
                servers.Add(ServedBy(body));
            }

            Assert.Equal(3, servers.Count);
            var victim = running.Single(a => a.Name == "redis-2");
            await victim.DisposeAsync();
            running.Remove(victim);
            for (var i = 0; i < 9; i++)
            {
                var (status, body) = await WhoAmIAsync(carol);
                Assert.Equal(HttpStatusCode.OK, status);
                Assert.StartsWith("carol", body);
            }
        }
        finally
        {
            foreach (var app in running) await app.DisposeAsync();
        }
    }
}
