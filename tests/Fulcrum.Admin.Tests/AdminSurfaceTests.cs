using System.Collections.Immutable;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Admin.Tests;

/// <summary>
/// The admin surface (issue 18, item 5; docs/security.md): who may call, what a browser on another site cannot make
/// it do, the server's own limits, and that the token never comes back out.
/// </summary>
public sealed class AdminSurfaceTests
{
    private const string Drain = "/api/pools/web/backends/web-1/drain";

    [Theory]
    [InlineData(null, "Origin", "http://evil.example")]
    [InlineData(null, "Origin", "null")]
    [InlineData(null, "Sec-Fetch-Site", "cross-site")]
    [InlineData(null, "Sec-Fetch-Site", "same-site")]
    [InlineData("s3cret", "Origin", "http://evil.example")]
    [InlineData("s3cret", "Sec-Fetch-Site", "cross-site")]
    public async Task ChangeABrowserSendsForAnotherSite_Is403_EvenWithTheToken(string? token, string header, string value)
    {
        await using var admin = await AdminTestServer.StartAsync(token);
        using var request = new HttpRequestMessage(HttpMethod.Post, Drain);
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await admin.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("cross-site", await response.Content.ReadAsStringAsync());
        Assert.True(admin.Store.Current.Pools["web"].Find("web-1")!.IsUsable);
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "same-origin")]
    [InlineData("Sec-Fetch-Site", "none")]
    [InlineData("Origin", "")]                   // the server's own origin, filled in below
    public async Task ChangeFromTheDashboardItself_Passes(string header, string value)
    {
        await using var admin = await AdminTestServer.StartAsync("s3cret");
        using var request = new HttpRequestMessage(HttpMethod.Post, Drain);
        request.Headers.TryAddWithoutValidation(header, value.Length > 0 ? value : admin.Url.GetLeftPart(UriPartial.Authority));

        using var response = await admin.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(admin.Store.Current.Pools["web"].Find("web-1")!.IsUsable);
    }

    [Fact]
    public async Task CrossSiteRead_IsAnswered_ButWithoutCorsHeaders_SoThePageCannotReadIt()
    {
        await using var admin = await AdminTestServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/pools");
        request.Headers.TryAddWithoutValidation("Origin", "http://evil.example");

        using var response = await admin.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("evil.example", HttpStatusCode.Forbidden)]
    [InlineData("10.0.0.5", HttpStatusCode.Forbidden)]
    [InlineData("localhost", HttpStatusCode.OK)]
    [InlineData("admin.localhost", HttpStatusCode.OK)]
    [InlineData("127.0.0.1", HttpStatusCode.OK)]
    [InlineData("127.1.2.3", HttpStatusCode.OK)]
    [InlineData("[::1]", HttpStatusCode.OK)]
    public async Task WithoutAToken_OnlyAHostNamingThisMachineIsServed(string host, HttpStatusCode expected)
    {
        // A page on evil.example whose name the attacker re-points at 127.0.0.1 (DNS rebinding) is same-origin to the
        // browser; its requests still say Host: evil.example.
        await using var admin = await AdminTestServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/pools");
        request.Headers.Host = $"{host}:{admin.Url.Port}";

        using var response = await admin.Client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        using var healthz = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        healthz.Headers.Host = $"{host}:{admin.Url.Port}";
        Assert.Equal(HttpStatusCode.OK, (await admin.Client.SendAsync(healthz)).StatusCode);
    }

    [Fact]
    public async Task WithAToken_AnyHostIsServed_ToTheTokenHolder()
    {
        await using var admin = await AdminTestServer.StartAsync("s3cret");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/pools");
        request.Headers.Host = "lb-1.internal.example";

        using var response = await admin.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ReloadDroppingTheToken_WhileBoundToEveryAddress_Refuses_UntilARestart()
    {
        await using var admin = await AdminTestServer.StartAsync("s3cret", bind: new BindAddress(IPAddress.Any, 0));
        admin.NextReload = () => new ConfigLoadResult(AdminTestServer.Config() with { Admin = null }, ImmutableArray<ConfigError>.Empty);
        var (status, _) = await admin.SendAsync(HttpMethod.Post, "/api/reload");
        Assert.Equal(HttpStatusCode.OK, status);

        admin.Client.DefaultRequestHeaders.Authorization = null;
        var (refused, body) = await admin.SendAsync(HttpMethod.Get, "/api/pools");

        Assert.Equal(HttpStatusCode.Forbidden, refused);
        Assert.Contains("admin.token", body.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(HttpMethod.Get, "/healthz")).Status);
    }

    [Fact]
    public async Task DashboardScript_SendsTheTokenInAHeader_NeverACookie()
    {
        await using var admin = await AdminTestServer.StartAsync("s3cret");
        admin.Client.DefaultRequestHeaders.Authorization = null;

        var script = await admin.Client.GetStringAsync("/dashboard/dashboard.js");

        Assert.Contains("headers[\"Authorization\"] = \"Bearer \" + token()", script);
        Assert.Contains("credentials: \"omit\"", script);
        Assert.Contains("sessionStorage", script);
        Assert.DoesNotContain("document.cookie", script, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("localStorage", script);
    }

    [Fact]
    public async Task Dashboard_CannotBeFramedByAnotherSite_AndNoAnswerSetsACookie()
    {
        await using var admin = await AdminTestServer.StartAsync("s3cret");

        using var page = await admin.Client.GetAsync("/");
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());

        foreach (var path in new[] { "/", "/dashboard/dashboard.js", "/healthz", "/metrics", "/api/pools", "/api/stats", "/api/nothing" })
        {
            using var response = await admin.Client.GetAsync(path);
            Assert.False(response.Headers.Contains("Set-Cookie"), path);
        }
    }

    [Fact]
    public async Task NoAnswer_CarriesTheToken_OrRepeatsAGuess()
    {
        const string Token = "tok-7f3a9c-never-shown";
        await using var admin = await AdminTestServer.StartAsync(Token);
        admin.NextReload = () => new ConfigLoadResult(null, [new ConfigError(new SourceLocation("fulcrum.yaml", 3, 10), "admin.token must be letters")]);
        var bodies = new List<string>();
        foreach (var path in new[] { "/", "/dashboard/dashboard.js", "/healthz", "/metrics", "/api/pools", "/api/pools/web", "/api/stats" })
        {
            bodies.Add(await admin.Client.GetStringAsync(path));
        }

        using (var reload = await admin.Client.PostAsync("/api/reload", null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, reload.StatusCode);
            bodies.Add(await reload.Content.ReadAsStringAsync());
        }

        admin.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "guess-4d2e1b-never-shown");
        using (var wrong = await admin.Client.GetAsync("/api/pools"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            bodies.Add(await wrong.Content.ReadAsStringAsync() + wrong.Headers);
        }

        Assert.All(bodies, body =>
        {
            Assert.DoesNotContain(Token, body);
            Assert.DoesNotContain("guess-4d2e1b", body);
        });
    }

    [Fact]
    public async Task BodyPastTheLimit_Is413_DeclaredOrChunked()
    {
        await using var admin = await AdminTestServer.StartAsync();
        var big = "{\"address\": \"127.0.0.1:9004\", \"name\": \"" + new string('n', 70 * 1024) + "\"}";

        // Expect: 100-continue, so the client waits for the verdict instead of writing into a connection being closed.
        using (var declared = new HttpRequestMessage(HttpMethod.Post, "/api/pools/web/backends") { Content = AdminTestServer.Json(big) })
        {
            declared.Headers.ExpectContinue = true;
            using var response = await admin.Client.SendAsync(declared);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }

        // A chunked body has no length to check first: the server stops reading at the limit. Sent whole, then read.
        using (var socket = await ConnectAsync(admin))
        {
            var body = Encoding.UTF8.GetBytes(big);
            await socket.SendAsync(Encoding.ASCII.GetBytes("POST /api/pools/web/backends HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + $"Transfer-Encoding: chunked\r\n\r\n{body.Length:x}\r\n"));
            await socket.SendAsync(body);
            await socket.SendAsync("\r\n0\r\n\r\n"u8.ToArray());
            Assert.StartsWith("HTTP/1.1 413", await Poll.Within(ReadToEndAsync(socket)));
        }

        Assert.Equal(3, admin.Store.Current.Pools["web"].Backends.Length);
    }

    [Fact]
    public async Task HeadersPastTheLimits_Are431()
    {
        await using var admin = await AdminTestServer.StartAsync();

        using var large = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        large.Headers.TryAddWithoutValidation("X-Large", new string('h', AdminLimits.Default.MaxRequestHeadersTotalSize));
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, (await admin.Client.SendAsync(large)).StatusCode);

        using var many = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        for (var i = 0; i <= AdminLimits.Default.MaxRequestHeaderCount; i++) many.Headers.TryAddWithoutValidation($"X-Header-{i}", "v");
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, (await admin.Client.SendAsync(many)).StatusCode);
    }

    [Fact]
    public async Task ConnectionsPastTheLimit_AreClosed_AndServedAgainOnceOneCloses()
    {
        var limits = AdminLimits.Default with { MaxConnections = 3 };
        await using var admin = await AdminTestServer.StartAsync(limits: limits);
        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 3; i++) held.Add(await ConnectAsync(admin));
            // Each held connection has been accepted once it answers a request (Kestrel counts from the accept).
            foreach (var socket in held) Assert.StartsWith("HTTP/1.1 200", await RequestAsync(socket, keepAlive: true));

            using (var extra = await ConnectAsync(admin))
            {
                Assert.Equal("", await RequestAsync(extra, keepAlive: false)); // closed without an answer
            }

            held[0].Dispose();
            held.RemoveAt(0);
            await Poll.UntilAsync(async () =>
            {
                using var again = await ConnectAsync(admin);
                return (await RequestAsync(again, keepAlive: false)).StartsWith("HTTP/1.1 200", StringComparison.Ordinal);
            }, "a connection to be served once one of the held ones closed");
        }
        finally
        {
            foreach (var socket in held) socket.Dispose();
        }
    }

    [Fact]
    public async Task HeadTrickledPastTheRequestHeadersTimeout_IsCut()
    {
        var limits = AdminLimits.Default with { RequestHeadersTimeout = TimeSpan.FromSeconds(1) };
        await using var admin = await AdminTestServer.StartAsync(limits: limits);
        using var socket = await ConnectAsync(admin);
        await socket.SendAsync("GET /healthz HTTP/1.1\r\nHost: localhost\r\n"u8.ToArray());

        // Never finishing the head: Kestrel answers 408 and closes (its timeouts tick once a second).
        var answer = await Poll.Within(ReadToEndAsync(socket));
        Assert.True(answer.Length == 0 || answer.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), answer);
    }

    private static async Task<Socket> ConnectAsync(AdminTestServer admin)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, admin.Url.Port);
        return socket;
    }

    // One GET /healthz; the answer's head and body as text, "" when the server closed without answering.
    private static async Task<string> RequestAsync(Socket socket, bool keepAlive)
    {
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: {(keepAlive ? "keep-alive" : "close")}\r\n\r\n"));
        }
        catch (SocketException)
        {
            return "";
        }

        if (!keepAlive) return await Poll.Within(ReadToEndAsync(socket));
        var buffer = new byte[4096];
        var read = await Poll.Within(socket.ReceiveAsync(buffer, SocketFlags.None));
        return Encoding.ASCII.GetString(buffer, 0, read);
    }

    private static async Task<string> ReadToEndAsync(Socket socket)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer)) > 0) text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        catch (SocketException)
        {
            // A reset is a close too.
        }

        return text.ToString();
    }
}
