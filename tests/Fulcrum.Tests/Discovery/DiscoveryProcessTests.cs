using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fulcrum.Tests.Infrastructure;
using Fulcrum.TestSupport;
using Fulcrum.TestSupport.Dns;
using Fulcrum.TestSupport.Http;

namespace Fulcrum.Tests.Discovery;

/// <summary>
/// Service discovery in a real `fulcrum run`: `dns:` and `srv:` backends against a DNS server the test runs, and a
/// watched `file:`. The pool follows the records and the file without a reload; what comes slow-starts, what goes
/// drains, and a failed lookup keeps the last good set and says so in the admin API.
/// </summary>
public sealed class DiscoveryProcessTests
{
    [Fact]
    public async Task DnsRecords_AddedAndRemoved_ChangeThePoolWithoutAReload_NewOnesSlowStart_GoneOnesDrain()
    {
        // Two backends on one port of two loopback addresses, as the addresses of one name are.
        await using var a = await TestBackend.StartAsync("a", IPAddress.Parse("127.0.0.2"));
        await using var b = await StartOnAsync("b", IPAddress.Parse("127.0.0.3"), a.Port);
        using var dns = TestDnsServer.Start();
        dns.SetAddresses("api.test", 1, IPAddress.Parse("127.0.0.2"));
        using var file = new ConfigFile($"""
            admin:
              bind: 127.0.0.1:0
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                routes: [ {"{"} pool: app {"}"} ]
            pools:
              - name: app
                slow-start: 30s
                drain-timeout: 30s
                discovery: {"{"} resolver: {dns.Address}, min-interval: 200ms, max-interval: 1s {"}"}
                backends:
                  - {"{"} address: dns:api.test:{a.Port} {"}"}
            """);
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var web = await fulcrum.WaitForListenerAsync("web");
        using var admin = AdminClient(await AdminUrlAsync(fulcrum));
        using var client = TestHttp.CreateClient();

        // The first lookup answered before the listener served.
        var pool = await PoolAsync(admin);
        Assert.Equal([a.Address], Ids(pool));
        Assert.Equal("a", (await TestHttp.GetAsync(client, new Uri(web, "/"))).Body);
        var source = Discovery(pool);
        Assert.Equal($"dns:api.test:{a.Port}", source.GetProperty("source").GetString());
        Assert.Equal("ok", source.GetProperty("state").GetString());
        // The record's TTL (1 s) is held within min-interval and max-interval: the next lookup is due within 1 s.
        Assert.True(source.GetProperty("nextLookup").GetDateTimeOffset() - source.GetProperty("lastSuccess").GetDateTimeOffset() <= TimeSpan.FromSeconds(1));

        // A request held on a, so its drain has something to wait for.
        var held = client.GetAsync(new Uri(web, "/hold"));
        await Poll.UntilAsync(() => a.InFlight == 1, "the held request reaches a");

        // A second address appears: b joins, slow-starting.
        dns.SetAddresses("api.test", 1, IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.3"));
        await Poll.UntilAsync(async () => Ids(await PoolAsync(admin)).Contains(b.Address), "b joins the pool");
        var joined = Backend(await PoolAsync(admin), b.Address);
        Assert.True(joined.GetProperty("slowStart").GetBoolean(), joined.ToString());

        // The first address goes: a drains (its held request goes on), new requests go to b only.
        dns.SetAddresses("api.test", 1, IPAddress.Parse("127.0.0.3"));
        await Poll.UntilAsync(async () => Backend(await PoolAsync(admin), a.Address) is { ValueKind: JsonValueKind.Object } left
            && left.GetProperty("state").GetString() == "draining", "a drains");
        for (var i = 0; i < 5; i++) Assert.Equal("b", (await TestHttp.GetAsync(client, new Uri(web, "/"))).Body);
        a.ReleaseHeld();
        using (var response = await held) Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Poll.UntilAsync(async () => Ids(await PoolAsync(admin)).SequenceEqual([b.Address]), "a leaves once drained");

        // The server fails: the pool keeps b, and the admin API says the set is stale and why.
        dns.Failing = true;
        await Poll.UntilAsync(async () => Discovery(await PoolAsync(admin)).GetProperty("state").GetString() == "stale", "the failed lookup shows");
        pool = await PoolAsync(admin);
        Assert.Contains("ServerFailure", Discovery(pool).GetProperty("lastError").GetString());
        Assert.Equal([b.Address], Ids(pool));
        Assert.Equal("b", (await TestHttp.GetAsync(client, new Uri(web, "/"))).Body);

        // It answers again: ok.
        dns.Failing = false;
        await Poll.UntilAsync(async () => Discovery(await PoolAsync(admin)).GetProperty("state").GetString() == "ok", "the lookup recovers");
        Assert.DoesNotContain(fulcrum.StdoutLines, l => l.Contains("reload applied"));
    }

    [Fact]
    public async Task SrvRecords_GiveEachBackendItsPortAndWeight_AndHigherPrioritiesAreBackups()
    {
        await using var backends = await Fulcrum.TestSupport.Http.Backends.StartAsync("a", "b", "c");
        using var dns = TestDnsServer.Start();
        dns.SetSrv("_http._tcp.api.test", 30,
            (10, 3, (ushort)backends[0].Port, "one.api.test"),
            (10, 0, (ushort)backends[1].Port, "one.api.test"),
            (20, 5, (ushort)backends[2].Port, "two.api.test"));
        dns.SetAddresses("one.api.test", 30, IPAddress.Loopback);
        dns.SetAddresses("two.api.test", 30, IPAddress.Loopback);
        using var file = new ConfigFile($"""
            admin:
              bind: 127.0.0.1:0
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                routes: [ {"{"} pool: app {"}"} ]
            pools:
              - name: app
                algorithm: weighted-round-robin
                discovery: {"{"} resolver: {dns.Address} {"}"}
                backends:
                  - {"{"} address: srv:_http._tcp.api.test {"}"}
            """);
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var web = await fulcrum.WaitForListenerAsync("web");
        using var admin = AdminClient(await AdminUrlAsync(fulcrum));

        var pool = await PoolAsync(admin);
        Assert.Equal((3, false), WeightAndBackup(Backend(pool, backends[0].Address)));
        Assert.Equal((1, false), WeightAndBackup(Backend(pool, backends[1].Address))); // SRV weight 0 is weight 1
        Assert.Equal((5, true), WeightAndBackup(Backend(pool, backends[2].Address)));

        using var client = TestHttp.CreateClient();
        var served = new List<string>();
        for (var i = 0; i < 8; i++) served.Add((await TestHttp.GetAsync(client, new Uri(web, "/"))).Body);
        Assert.Equal(6, served.Count(s => s == "a"));
        Assert.Equal(2, served.Count(s => s == "b"));
        Assert.DoesNotContain("c", served);
    }

    [Fact]
    public async Task WatchedFile_ChangesThePoolWithoutAReload_AndABadFileKeepsTheLastGoodSet()
    {
        await using var backends = await Fulcrum.TestSupport.Http.Backends.StartAsync("a", "b");
        using var file = new ConfigFile($"""
            admin:
              bind: 127.0.0.1:0
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                routes: [ {"{"} pool: app {"}"} ]
            pools:
              - name: app
                backends:
                  - {"{"} address: file:backends.txt {"}"}
            """);
        var list = Path.Combine(file.Directory, "backends.txt");
        File.WriteAllText(list, $"# the app's backends\n{backends[0].Address}\n");
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var web = await fulcrum.WaitForListenerAsync("web");
        using var admin = AdminClient(await AdminUrlAsync(fulcrum));
        Assert.Equal([backends[0].Address], Ids(await PoolAsync(admin)));

        // Written beside it and renamed over it, as the docs say to.
        Replace(list, $"{backends[0].Address}\n{backends[1].Address} 2\n");
        await Poll.UntilAsync(async () => Ids(await PoolAsync(admin)).Count == 2, "b joins from the file");
        Assert.Equal((2, false), WeightAndBackup(Backend(await PoolAsync(admin), backends[1].Address)));

        // A line that is not a backend: the whole file is refused, the pool keeps both, the API names the line.
        Replace(list, $"{backends[1].Address}\nnot-an-address\n");
        await Poll.UntilAsync(async () => Discovery(await PoolAsync(admin)).GetProperty("state").GetString() == "stale", "the bad file shows");
        var pool = await PoolAsync(admin);
        Assert.Contains("backends.txt:2", Discovery(pool).GetProperty("lastError").GetString());
        Assert.Equal(2, Ids(pool).Count);

        Replace(list, $"{backends[1].Address}\n");
        await Poll.UntilAsync(async () => Ids(await PoolAsync(admin)).SequenceEqual([backends[1].Address]), "a leaves with the file");
        using var client = TestHttp.CreateClient();
        Assert.Equal("b", (await TestHttp.GetAsync(client, new Uri(web, "/"))).Body);

        // As a ConfigMap volume: backends.txt -> ..data/backends.txt, ..data -> ..v1. An update writes ..v2 and renames
        // a new ..data link over the old one, never touching backends.txt: seen at once, not at the 5 min re-read.
        Directory.CreateDirectory(Path.Combine(file.Directory, "..v1"));
        File.WriteAllText(Path.Combine(file.Directory, "..v1", "backends.txt"), $"{backends[0].Address}\n{backends[1].Address}\n");
        File.CreateSymbolicLink(Path.Combine(file.Directory, "..data"), "..v1");
        File.CreateSymbolicLink(list + ".link", Path.Combine("..data", "backends.txt"));
        File.Move(list + ".link", list, overwrite: true);
        await Poll.UntilAsync(async () => Ids(await PoolAsync(admin)).Count == 2, "the file, now a link into ..data, read");
        Directory.CreateDirectory(Path.Combine(file.Directory, "..v2"));
        File.WriteAllText(Path.Combine(file.Directory, "..v2", "backends.txt"), $"{backends[0].Address}\n");
        File.CreateSymbolicLink(Path.Combine(file.Directory, "..data_tmp"), "..v2");
        Posix.Rename(Path.Combine(file.Directory, "..data_tmp"), Path.Combine(file.Directory, "..data"));
        await Poll.UntilAsync(async () => Ids(await PoolAsync(admin)).SequenceEqual([backends[0].Address]), "a comes back with the ConfigMap's update", TimeSpan.FromSeconds(20));
        Assert.DoesNotContain(fulcrum.StdoutLines, l => l.Contains("reload applied"));
    }

    // The port a's OS-chosen port; taken on another loopback address it is free unless something else holds it there.
    private static Task<TestBackend> StartOnAsync(string name, IPAddress host, int port) => TestBackend.StartAsync(name, host, port);

    private static void Replace(string path, string contents)
    {
        var next = path + ".next";
        File.WriteAllText(next, contents);
        File.Move(next, path, overwrite: true);
    }

    private static async Task<Uri> AdminUrlAsync(FulcrumProcess fulcrum) =>
        new((await fulcrum.WaitForLineAsync(new Regex(@"admin API serving on (\S+)"))).Groups[1].Value + "/");

    private static HttpClient AdminClient(Uri url) => new() { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };

    private static async Task<JsonElement> PoolAsync(HttpClient admin) =>
        JsonDocument.Parse(await admin.GetStringAsync("api/pools/app")).RootElement.Clone();

    // The pool's live backends and those still draining out of it, by id.
    private static List<string> Ids(JsonElement pool) =>
        [.. pool.GetProperty("backends").EnumerateArray().Select(b => b.GetProperty("id").GetString()!).Order()];

    private static JsonElement Backend(JsonElement pool, string id) =>
        pool.GetProperty("backends").EnumerateArray().FirstOrDefault(b => b.GetProperty("id").GetString() == id);

    private static JsonElement Discovery(JsonElement pool) => pool.GetProperty("discovery")[0];

    private static (int, bool) WeightAndBackup(JsonElement backend) =>
        (backend.GetProperty("weight").GetInt32(), backend.GetProperty("backup").GetBoolean());
}
