using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Hardening;
using Fulcrum.L7.Tests.Support;

namespace Fulcrum.L7.Tests.FrontEnd;

/// <summary>
/// Sends the same requests through a Kestrel listener and a `front-end: fulcrum` listener, each in front of its own
/// <see cref="RecordingBackend"/>: the backends must receive the same request line, header fields (names without case,
/// order aside) and body, and the clients the same class of status.
/// </summary>
public sealed class FrontEndDifferentialTests(FrontEndDifferentialTests.Pair pair) : IClassFixture<FrontEndDifferentialTests.Pair>
{
    // Headers that differ by nature between two listeners: a fresh id per request, the listener's own port.
    private static readonly HashSet<string> PerListener = new(StringComparer.OrdinalIgnoreCase) { "x-request-id", "x-forwarded-port", "traceparent" };

    private static readonly (string Name, string Request)[] Corpus =
    [
        ("get", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("query", "GET /search?q=a%20b&x=1&x=2 HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("percent-path", "GET /caf%C3%A9/a%2Fb HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("dot-segments", "GET /a/./b/../c HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("many-headers", "GET / HTTP/1.1\r\nHost: a:8080\r\nAccept: */*\r\nX-Multi: 1\r\nX-Multi: 2\r\nCookie: a=1; b=2\r\nUser-Agent: t\r\nX-Empty:\r\n\r\n"),
        ("obs-text-value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: caf\u00e9\r\n\r\n"),
        ("head", "HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("options-star", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("absolute-form", "GET http://a/p?q=1 HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("post-length", "POST /p HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world"),
        ("post-empty", "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"),
        ("post-chunked", "POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n"),
        ("post-large", "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n" + new string('z', 100_000)),
        ("expect-continue", "POST /p HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello"),
        ("http10", "GET / HTTP/1.0\r\nHost: a\r\n\r\n"),
        ("http10-keep-alive", "GET / HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n"),
        ("connection-close", "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
        ("hop-by-hop", "GET / HTTP/1.1\r\nHost: a\r\nConnection: X-Hop\r\nX-Hop: 1\r\nKeep-Alive: 5\r\n\r\n"),
        ("pipelined", "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n"),
        ("method-unknown", "PURGE /x HTTP/1.1\r\nHost: a\r\n\r\n"),
        // refused by both
        ("bad-te", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"),
        ("space-before-colon", "GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n"),
        ("two-hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        ("bad-chunk", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 5\r\nhello\r\n0\r\n\r\n"),
        ("no-host", "GET / HTTP/1.1\r\n\r\n"),
    ];

    public static TheoryData<string> Names => [.. Corpus.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task BothFrontEnds_SendTheBackendTheSameRequest(string name)
    {
        var request = Encoding.Latin1.GetBytes(Corpus.Single(c => c.Name == name).Request);
        pair.Kestrel.Backend.Clear();
        pair.Fulcrum.Backend.Clear();

        // The pipelined case is due two answers: waited for, not taken as over after a quiet moment.
        var responses = name == "pipelined" ? 2 : 1;
        var kestrel = await ClientProbe.VerdictAsync(pair.Kestrel.Endpoint, request, responses: responses);
        var fulcrum = await ClientProbe.VerdictAsync(pair.Fulcrum.Endpoint, request, responses: responses);

        Assert.True(StatusClasses(kestrel) == StatusClasses(fulcrum), $"{name}: kestrel answered '{kestrel}', fulcrum '{fulcrum}'");
        // A request refused for its body (a bad chunk) may have had its head streamed to the backend before the body
        // broke, or not yet, and the backend may record it after the client's answer: timing on either front end. What
        // must agree is that no such request reaches a backend whole; requests cut short count only when served.
        var refused = StatusClasses(kestrel).StartsWith("4xx", StringComparison.Ordinal);
        var expected = Requests(pair.Kestrel.Backend, refused);
        var actual = Requests(pair.Fulcrum.Backend, refused);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);
    }

    private static string StatusClasses(string verdict) =>
        string.Join(",", verdict.Split('+')[0].Split(',').Select(s => s.Length == 3 ? s[0] + "xx" : s));

    // Each request a backend received, as one comparable text: request line, sorted fields, decoded body.
    private static List<string> Requests(RecordingBackend backend, bool wholeOnly)
    {
        var requests = new List<string>();
        foreach (var connection in backend.Received)
        {
            var text = Encoding.Latin1.GetString(connection);
            while (text.Length > 0)
            {
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end < 0) break;
                var lines = text[..end].Split("\r\n");
                text = text[(end + 4)..];
                var fields = lines.Skip(1).Select(l => (Name: l[..l.IndexOf(':')].ToLowerInvariant(), Value: l[(l.IndexOf(':') + 1)..].Trim()))
                    .Where(f => !PerListener.Contains(f.Name)).OrderBy(f => f.Name, StringComparer.Ordinal).ThenBy(f => f.Value, StringComparer.Ordinal).ToList();
                var body = "";
                var whole = true;
                if (fields.FirstOrDefault(f => f.Name == "content-length") is { Name: not null } length)
                {
                    var n = Math.Min(int.Parse(length.Value, System.Globalization.CultureInfo.InvariantCulture), text.Length);
                    whole = n == int.Parse(length.Value, System.Globalization.CultureInfo.InvariantCulture);
                    body = text[..n];
                    text = text[n..];
                }
                else if (fields.Any(f => f.Name == "transfer-encoding"))
                {
                    var decoded = new StringBuilder();
                    whole = false;
                    while (true)
                    {
                        var lineEnd = text.IndexOf("\r\n", StringComparison.Ordinal);
                        if (lineEnd < 0 || !int.TryParse(text[..lineEnd].Split(';')[0], System.Globalization.NumberStyles.HexNumber, null, out _)) break; // cut short
                        var size = Convert.ToInt32(text[..lineEnd].Split(';')[0], 16);
                        text = text[(lineEnd + 2)..];
                        if (size == 0)
                        {
                            text = text[(text.IndexOf("\r\n", StringComparison.Ordinal) + 2)..];
                            whole = true;
                            break;
                        }

                        if (text.Length < size + 2) break;
                        decoded.Append(text[..size]);
                        text = text[(size + 2)..];
                    }

                    body = decoded.ToString();
                }

                // Framing may legitimately differ (a chunked body may go on with a length); the content may not.
                fields.RemoveAll(f => f.Name is "content-length" or "transfer-encoding");
                if (wholeOnly && !whole) continue;
                requests.Add(lines[0] + "\n" + string.Join("\n", fields.Select(f => f.Name + ": " + f.Value)) + "\n\n" + body);
            }
        }

        return requests;
    }

    public sealed class Side(HttpFrontEnd frontEnd) : IAsyncDisposable
    {
        public RecordingBackend Backend { get; } = new();
        public ProxyHarness Harness { get; private set; } = null!;
        public System.Net.IPEndPoint Endpoint => Harness.Plane.BoundEndpoints["web"];

        public async Task StartAsync()
        {
            var pool = new PoolConfig { Name = "app", Backends = [new BackendConfig { Address = Backend.Address }], Retries = new RetryConfig { Attempts = 1 } };
            Harness = await ProxyHarness.StartAsync(Configs.Of(Configs.Web(Configs.ToPool("app")) with { FrontEnd = frontEnd }, pool));
        }

        public async ValueTask DisposeAsync()
        {
            await Harness.DisposeAsync();
            await Backend.DisposeAsync();
        }
    }

    public sealed class Pair : IAsyncLifetime
    {
        public Side Kestrel { get; } = new(HttpFrontEnd.Kestrel);
        public Side Fulcrum { get; } = new(HttpFrontEnd.Fulcrum);

        public async Task InitializeAsync()
        {
            await Kestrel.StartAsync();
            await Fulcrum.StartAsync();
        }

        public async Task DisposeAsync()
        {
            await Kestrel.DisposeAsync();
            await Fulcrum.DisposeAsync();
        }
    }
}
