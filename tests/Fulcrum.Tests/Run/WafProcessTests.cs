using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Run;

/// <summary>The WAF in the real `fulcrum` process, with Debian's libmodsecurity3 and modsecurity-crs (scripts/install-deps.sh).</summary>
public sealed class WafProcessTests
{
    private static string Yaml(string backend, string crsSetup = "/etc/modsecurity/crs/crs-setup.conf") => $"""
        access-log:
          path: access.log
        listeners:
          - name: web
            bind: 127.0.0.1:0
            protocol: http
            routes:
              - name: watched
                match: {"{"} path-prefix: /watched/ {"}"}
                pool: app
                waf: {"{"} mode: detect {"}"}
              - name: guarded
                pool: app
                waf: {"{"} mode: block, paranoia: 1, crs-setup: {crsSetup} {"}"}
        pools:
          - name: app
            backends: [ {"{"} address: {backend} {"}"} ]
        """;

    private static async Task<HttpStatusCode> GetAsync(HttpClient client, Uri url, string? userAgent = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (userAgent is not null) request.Headers.Add("User-Agent", userAgent);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task Run_BlockRefusesTheClassicAttacksWith403_DetectLetsThemThrough_AndTheAccessLogSaysWhich()
    {
        await using var backends = await Backends.StartAsync(1);
        using var file = new ConfigFile(Yaml(backends.All[0].Address));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var url = await fulcrum.WaitForListenerAsync();
        using var client = TestHttp.CreateClient();

        string[] attacks =
        [
            "items?id=1'%20OR%20'1'='1",
            "search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            "download?file=..%2F..%2F..%2Fetc%2Fpasswd",
            "tools/ping?host=127.0.0.1%3Buname%20-a",
        ];
        foreach (var attack in attacks)
        {
            Assert.True(await GetAsync(client, new Uri(url, attack)) == HttpStatusCode.Forbidden, $"{attack} should be refused");
            Assert.True(await GetAsync(client, new Uri(url, "watched/" + attack)) == HttpStatusCode.OK, $"watched/{attack} should pass");
        }

        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(client, url, "Nikto/2.5.0"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(client, new Uri(url, "items?id=42&sort=name")));

        var log = Path.Combine(file.Directory, "access.log");
        await Poll.UntilAsync(() => File.Exists(log) && File.ReadAllLines(log).Length >= 10, "ten access log lines");
        var lines = File.ReadAllLines(log).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        string? Field(JsonElement line, string name) => line.TryGetProperty(name, out var value) ? value.GetString() : null;
        var flagged = lines.Where(l => Field(l, "protection") is not null).Select(l => (Field(l, "route"), Field(l, "protection"), l.GetProperty("status").GetInt32())).ToList();
        Assert.Equal(
            [
                ("guarded", "waf:sqli", 403), ("watched", "waf:sqli", 200), ("guarded", "waf:xss", 403), ("watched", "waf:xss", 200),
                ("guarded", "waf:lfi", 403), ("watched", "waf:lfi", 200), ("guarded", "waf:rce", 403), ("watched", "waf:rce", 200),
                ("guarded", "waf:scanner", 403),
            ],
            flagged);
        Assert.All(lines.Where(l => Field(l, "protection") is not null), l => Assert.Contains("949110", Field(l, "waf_rules")));
        Assert.Null(Field(lines[^1], "waf_rules"));
    }

    [Fact]
    public async Task Reload_ToRulesThatDoNotLoad_IsRejectedAtTheirLine_AndTheWafKeepsGuarding()
    {
        await using var backends = await Backends.StartAsync(1);
        using var file = new ConfigFile(Yaml(backends.All[0].Address));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var url = await fulcrum.WaitForListenerAsync();
        using var client = TestHttp.CreateClient();
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(client, new Uri(url, "items?id=1'%20OR%20'1'='1")));

        var broken = Path.Combine(file.Directory, "crs-setup.conf");
        File.WriteAllText(broken, "SecDefaultAction \"phase:1,log,pass\"\nSecAction \"id:900990,phase:1,nolog,pass,no-such-action\"\n");
        file.ReplaceAtomically(Yaml(backends.All[0].Address, "crs-setup.conf"));

        await fulcrum.WaitForLineAsync(new Regex($@"{Regex.Escape(file.Path)}:14:\d+: waf: Rules error\. File: {Regex.Escape(broken)}\. Line: 2\."));
        await fulcrum.WaitForLineAsync(new Regex(@"reload rejected: .*still serving generation 1"));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(client, new Uri(url, "items?id=1'%20OR%20'1'='1")));
    }

    [Fact]
    public async Task Validate_WithoutLibmodsecurity_ExitsTwo_SayingWhatToInstall_AtTheRoutesWaf()
    {
        using var file = new ConfigFile(Yaml("127.0.0.1:9"));
        await using var process = FulcrumProcess.Start(
            new Dictionary<string, string> { ["FULCRUM_MODSECURITY_LIBRARY"] = "/nonexistent/libmodsecurity.so.3" }, "validate", "-c", file.Path);

        Assert.True(await process.WaitForExitAsync() == 2, process.Output);
        Assert.Contains(process.StderrLines, l => Regex.IsMatch(l, $@"^{Regex.Escape(file.Path)}:14:\d+: waf: the WAF needs ModSecurity v3 and /nonexistent/libmodsecurity.so.3 could not be loaded .*install Debian's libmodsecurity3"));
        Assert.Contains(process.StderrLines, l => l.StartsWith($"{file.Path}:11:", StringComparison.Ordinal)); // the detect route's too
    }
}
