using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Fulcrum.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Fulcrum.Tests.Gslb;

/// <summary>
/// `fulcrum run` with a dns listener, asked by `dig`: answers come from the sites' health as the health checks see it,
/// ECS places the client, TCP answers as UDP does, and garbage never takes the listener down.
/// </summary>
public sealed class GslbProcessTests(ITestOutputHelper output)
{
    // Fall time = fall x interval; a refused connect fails at once, so the timeout adds nothing for a killed site.
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private const int Fall = 2;

    [Fact]
    public async Task OnlyHealthySites_AreAnswered_AndAKilledSiteLeavesWithinItsFallTime()
    {
        using var de = new Site("127.0.0.2");
        using var na = new Site("127.0.0.3");
        using var dead = new Site("127.0.0.4");
        dead.Kill();
        await using var gslb = await GslbAsync(de, na, dead);

        await Poll.UntilAsync(async () => Same(await Dig.QueryAsync(gslb.Endpoint, "www.example.test", "A"), de, na),
            "the two live sites answered, the dead one not");

        na.Kill();
        var clock = Stopwatch.StartNew();
        await Poll.UntilAsync(async () => Same(await Dig.QueryAsync(gslb.Endpoint, "www.example.test", "A"), de),
            "the killed site left the answers");
        var left = clock.Elapsed;
        output.WriteLine($"a killed site left the answers after {left.TotalMilliseconds:F0} ms (fall time {Fall * Interval.TotalMilliseconds} ms)");
        // Fall time plus one interval for the check in progress when the site died, plus slack for a busy 2-core machine.
        Assert.True(left < (Fall + 1) * Interval + TimeSpan.FromSeconds(2), $"took {left}");

        de.Kill();
        var none = await PollAnswerAsync(gslb.Endpoint, "www.example.test", a => a.Answer.Count == 0);
        Assert.Equal(("NOERROR", 1), (none.Status, none.Authority.Count));
        Assert.Contains("SOA", none.Authority[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientSubnet_InARegion_PutsItsSiteFirst_OrAlone_PerPolicy()
    {
        using var de = new Site("127.0.0.2");
        using var na = new Site("127.0.0.3");
        using var other = new Site("127.0.0.4");
        await using var gslb = await GslbAsync(de, na, other);
        await Poll.UntilAsync(async () => (await Dig.QueryAsync(gslb.Endpoint, "www.example.test", "A")).Answer.Count == 3, "every site up");

        // 198.51.100.0/24 is DE, 203.0.113.0/24 is US in the test's database; 127.0.0.1 (the resolver) is nowhere.
        var fromDe = await Dig.QueryAsync(gslb.Endpoint, "www.example.test", "A", "+subnet=198.51.100.7/24");
        Assert.Equal([de.Ip, na.Ip, other.Ip], fromDe.AnswerData);
        Assert.Equal("198.51.100.0/24/24", fromDe.ClientSubnet);
        var fromUs = await Dig.QueryAsync(gslb.Endpoint, "www.example.test", "A", "+subnet=203.0.113.9/24");
        Assert.Equal([na.Ip, de.Ip, other.Ip], fromUs.AnswerData);
        var nowhere = await Dig.QueryAsync(gslb.Endpoint, "www.example.test", "A");
        Assert.Equal([de.Ip, na.Ip, other.Ip], nowhere.AnswerData);

        Assert.Equal([na.Ip], (await Dig.QueryAsync(gslb.Endpoint, "one.example.test", "A", "+subnet=203.0.113.9/24")).AnswerData);
        Assert.Equal([de.Ip], (await Dig.QueryAsync(gslb.Endpoint, "one.example.test", "A", "+subnet=198.51.100.7/24")).AnswerData);
        Assert.Equal([de.Ip], (await Dig.QueryAsync(gslb.Endpoint, "one.example.test", "A")).AnswerData);
        for (var i = 0; i < 5; i++)
            Assert.Equal([na.Ip], (await Dig.QueryAsync(gslb.Endpoint, "pick.example.test", "A", "+subnet=203.0.113.9/24")).AnswerData);

        // The region's site down: the next in line answers, still one.
        na.Kill();
        await PollAnswerAsync(gslb.Endpoint, "one.example.test", a => a.AnswerData.SequenceEqual([de.Ip]), "+subnet=203.0.113.9/24");
    }

    [Fact]
    public async Task TcpAnswers_EqualUdpAnswers_AndAreThoseOfAnAuthoritativeServer()
    {
        using var de = new Site("127.0.0.2");
        using var na = new Site("127.0.0.3");
        using var other = new Site("127.0.0.4");
        await using var gslb = await GslbAsync(de, na, other);
        await Poll.UntilAsync(async () => (await Dig.QueryAsync(gslb.Endpoint, "www.example.test", "A")).Answer.Count == 3, "every site up");

        (string Name, string Type, string[] Options, string Status)[] cases =
        [
            ("www.example.test", "A", [], "NOERROR"),
            ("www.example.test", "A", ["+subnet=203.0.113.9/24"], "NOERROR"),
            ("one.example.test", "A", ["+subnet=198.51.100.7/24"], "NOERROR"),
            ("www.example.test", "AAAA", [], "NOERROR"),
            ("www.example.test", "MX", [], "NOERROR"),
            ("example.test", "SOA", [], "NOERROR"),
            ("example.test", "NS", [], "NOERROR"),
            ("below.example.test", "A", [], "NOERROR"),
            ("nothing.example.test", "A", [], "NXDOMAIN"),
            ("www.elsewhere.test", "A", [], "REFUSED"),
        ];
        foreach (var (name, type, options, status) in cases)
        {
            var udp = await Dig.QueryAsync(gslb.Endpoint, name, type, options);
            var tcp = await Dig.QueryAsync(gslb.Endpoint, name, type, [.. options, "+tcp"]);
            Assert.True(udp.Status == status, $"{name} {type}: {udp.Text}");
            Assert.Equal(Shown(udp), Shown(tcp));
            Assert.Contains(udp.Status == "REFUSED" ? "qr" : "qr aa", udp.Flags, StringComparison.Ordinal);
        }

        var soa = await Dig.QueryAsync(gslb.Endpoint, "example.test", "SOA");
        Assert.Matches(@"^example\.test\.\s+3600\s+IN\s+SOA\s+ns1\.example\.test\. hostmaster\.example\.test\. \d+ 3600 600 604800 30$", Assert.Single(soa.Answer));
        var nx = await Dig.QueryAsync(gslb.Endpoint, "nothing.example.test", "A");
        Assert.Matches(@"^example\.test\.\s+30\s+IN\s+SOA\s", Assert.Single(nx.Authority));
        Assert.Matches(@"^www\.example\.test\.\s+10\s+IN\s+A\s+127\.0\.0\.2$", (await Dig.QueryAsync(gslb.Endpoint, "www.example.test", "A")).Answer[0]);
    }

    [Fact]
    public async Task MalformedQueries_GetFormErrOrAreDropped_AndTheListenerKeepsAnswering()
    {
        using var de = new Site("127.0.0.2");
        await using var gslb = await GslbAsync(de);
        await Poll.UntilAsync(async () => (await Dig.QueryAsync(gslb.Endpoint, "www.example.test", "A")).Answer.Count == 1, "the site up");

        // Two questions, then none: well-formed messages that are not a query one can answer (RFC 9619).
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Connect(gslb.Endpoint);
        byte[] question = [3, (byte)'w', (byte)'w', (byte)'w', 7, .. "example"u8, 4, .. "test"u8, 0, 0, 1, 0, 1];
        byte[] twoQuestions = [0x12, 0x34, 0x00, 0x00, 0, 2, 0, 0, 0, 0, 0, 0, .. question, .. question];
        Assert.Equal((0x1234, 1), await AskRawAsync(udp, twoQuestions));
        byte[] noQuestion = [0x43, 0x21, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal((0x4321, 1), await AskRawAsync(udp, noQuestion));

        // Garbage over UDP and TCP: random bytes, cut-off headers, names that point nowhere, lying length prefixes.
        var random = new Random(17);
        for (var i = 0; i < 2000; i++)
        {
            var junk = new byte[random.Next(0, 600)];
            random.NextBytes(junk);
            if (junk.Length > 2 && i % 2 == 0) junk[2] &= 0x7f;
            if (junk.Length > 5 && i % 3 == 0) (junk[4], junk[5]) = (0, 1);
            udp.Send(junk);
        }

        for (var i = 0; i < 100; i++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await tcp.ConnectAsync(gslb.Endpoint);
            var junk = new byte[random.Next(0, 300)];
            random.NextBytes(junk);
            var length = i % 4 == 0 ? 0xffff : i % 4 == 1 ? 3 : junk.Length;
            await tcp.SendAsync((byte[])[(byte)(length >> 8), (byte)length, .. junk], SocketFlags.None);
            tcp.Shutdown(SocketShutdown.Send);
            var sink = new byte[1024];
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                while (await tcp.ReceiveAsync(sink, SocketFlags.None, wait.Token) > 0)
                {
                }
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                // Closed on garbage with bytes unread: as good as a FIN.
            }
        }

        Assert.Equal([de.Ip], (await Dig.QueryAsync(gslb.Endpoint, "www.example.test", "A")).AnswerData);
        Assert.Equal([de.Ip], (await Dig.QueryAsync(gslb.Endpoint, "www.example.test", "A", "+tcp")).AnswerData);
    }

    private static async Task<(int Id, int Rcode)> AskRawAsync(Socket udp, byte[] message)
    {
        await udp.SendAsync(message, SocketFlags.None);
        var answer = new byte[512];
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var n = await udp.ReceiveAsync(answer, SocketFlags.None, wait.Token);
        Assert.True(n >= 12 && (answer[2] & 0x80) != 0, "an answer, not a query");
        return ((answer[0] << 8) | answer[1], answer[3] & 0x0f);
    }

    private static string Shown(DigAnswer a) =>
        $"{a.Status} [{a.Flags}] answer: {string.Join(" | ", a.Answer)} authority: {string.Join(" | ", a.Authority)} ecs: {a.ClientSubnet}";

    private static bool Same(DigAnswer answer, params Site[] sites) =>
        answer.AnswerData.Order().SequenceEqual(sites.Select(static s => s.Ip).Order());

    private static async Task<DigAnswer> PollAnswerAsync(IPEndPoint server, string name, Func<DigAnswer, bool> done, params string[] options)
    {
        DigAnswer? last = null;
        await Poll.UntilAsync(async () => done(last = await Dig.QueryAsync(server, name, "A", options)), $"the answer for {name}");
        return last!;
    }

    private static async Task<RunningGslb> GslbAsync(params Site[] sites)
    {
        var file = new ConfigFile(Config(sites));
        GeoDatabaseFile.Write(Path.Combine(file.Directory, "geo.mmdb"), ("198.51.100.0/24", "DE", "EU"), ("203.0.113.0/24", "US", "NA"));
        var process = FulcrumProcess.Start("run", "-c", file.Path);
        var url = await process.WaitForListenerAsync("gslb");
        return new RunningGslb(file, process, new IPEndPoint(IPAddress.Parse(url.Host), url.Port));
    }

    private static string Config(Site[] sites)
    {
        string[] geo = ["geo: { country: DE }", "geo: { continent: NA }"];
        var backends = string.Join('\n', sites.Select((s, i) =>
            $"      - {{ address: {s.Endpoint}{(i < geo.Length ? ", " + geo[i] : "")} }}"));
        return $$"""
            geo:
              database: geo.mmdb
            listeners:
              - name: gslb
                bind: 127.0.0.1:0
                protocol: dns
                zone: { name: example.test }
                records:
                  - { name: www.example.test, pool: sites }
                  - { name: one.example.test, pool: sites, policy: failover }
                  - { name: pick.example.test, pool: sites, policy: weighted }
                  - { name: deep.below.example.test, pool: sites }
            pools:
              - name: sites
                health:
                  active: { type: tcp, interval: {{Interval.TotalMilliseconds}}ms, timeout: 250ms, rise: 1, fall: {{Fall}} }
                backends:
            {{backends}}

            """;
    }

    private sealed record RunningGslb(ConfigFile File, FulcrumProcess Process, IPEndPoint Endpoint) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Process.DisposeAsync();
            File.Dispose();
        }
    }
}
