using System.Text.Json;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using Fulcrum.L7.Tests.Tls;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.FrontEnd.Http2;

/// <summary>
/// Raw frames (h2frames.py, Debian's python3-h2) against a `front-end: fulcrum` https listener: what RFC 9113 says a
/// server must answer with a connection error (GOAWAY and its code), a stream error (RST_STREAM, the connection going
/// on), or a response.
/// </summary>
public sealed class Http2FrameConformanceTests : IClassFixture<Http2FrameConformanceTests.Proxy>
{
    private const int ProtocolError = 1, FlowControlError = 3, FrameSizeError = 6, CompressionError = 9;
    private readonly Proxy _proxy;

    public Http2FrameConformanceTests(Proxy proxy) => _proxy = proxy;

    /// <summary>One listener and backend for every case.</summary>
    public sealed class Proxy : IAsyncLifetime
    {
        private readonly TestPki _pki = new();
        private Backends? _backends;
        public ProxyHarness Harness { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _backends = await Backends.StartAsync("a");
            var (cert, key) = _pki.Write(_pki.Issue(["a.test", "127.0.0.1"]), "a");
            var tls = new ListenerTlsConfig { Certificates = [new CertificateConfig { Cert = cert, Key = key }] };
            Harness = await ProxyHarness.StartAsync(Of(HttpsListenerTests.Secure(tls, ToPool("app")) with { FrontEnd = HttpFrontEnd.Fulcrum }, Pool("app", _backends.All)));
        }

        public async Task DisposeAsync()
        {
            await Harness.DisposeAsync();
            if (_backends is not null) await _backends.DisposeAsync();
            _pki.Dispose();
        }
    }

    private async Task<JsonElement> RunAsync(string name)
    {
        Assert.True(File.Exists(PythonScript.Python), "needs /usr/bin/python3 with python3-h2 (scripts/install-deps.sh)");
        var script = Path.Combine(AppContext.BaseDirectory, "FrontEnd", "Http2", "h2frames.py");
        var port = _proxy.Harness.Plane.BoundEndpoints["web"].Port;
        var (exitCode, output, error) = await PythonScript.RunAsync(name, script, name, "127.0.0.1", port.ToString());
        Assert.True(exitCode == 0, $"{name}: h2frames.py failed: {error}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    [Fact]
    public async Task Get_IsAnswered_AfterTheServersSettings()
    {
        var result = await RunAsync("get");
        Assert.Equal(200, result.GetProperty("responses").GetProperty("1").GetInt32());
        Assert.Equal(100, result.GetProperty("settings").GetProperty("3").GetInt32()); // SETTINGS_MAX_CONCURRENT_STREAMS
        Assert.Equal(1, result.GetProperty("settings").GetProperty("8").GetInt32());   // SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441)
        Assert.True(result.GetProperty("usable").GetBoolean());
    }

    [Fact]
    public async Task Ping_IsAnsweredWithItsPayload()
    {
        var result = await RunAsync("ping");
        Assert.Equal("abcdefgh", result.GetProperty("pings")[0].GetString());
    }

    [Theory]
    [InlineData("data-on-stream-0", ProtocolError)]
    [InlineData("frame-too-large", FrameSizeError)]
    [InlineData("even-stream", ProtocolError)]
    [InlineData("window-update-zero", ProtocolError)]
    [InlineData("window-overflow", FlowControlError)]
    [InlineData("continuation-alone", ProtocolError)]
    [InlineData("bad-hpack", CompressionError)]
    [InlineData("settings-bad-length", FrameSizeError)]
    [InlineData("settings-window-too-large", FlowControlError)]
    public async Task ConnectionErrors_EndWithGoAway_AndTheirCode(string name, int code)
    {
        var result = await RunAsync(name);
        Assert.True(result.GetProperty("goaway").ValueKind == JsonValueKind.Number, $"{name}: no GOAWAY ({result})");
        Assert.Equal(code, result.GetProperty("goaway").GetInt32());
    }

    [Theory]
    [InlineData("uppercase-name")]
    [InlineData("connection-header")]
    [InlineData("te-gzip")]
    [InlineData("no-path")]
    [InlineData("pseudo-after-regular")]
    [InlineData("protocol-not-connect")] // RFC 8441 section 4: :protocol only on CONNECT
    [InlineData("protocol-unknown")]     // extended CONNECT carries WebSockets only
    [InlineData("connect-plain")]        // CONNECT tunnels are not offered
    public async Task MalformedRequests_AreStreamErrors_AndTheConnectionGoesOn(string name)
    {
        var result = await RunAsync(name);
        Assert.Equal(ProtocolError, result.GetProperty("resets").GetProperty("1").GetInt32());
        Assert.True(result.GetProperty("usable").GetBoolean(), $"{name}: the connection did not go on ({result})");
    }

    [Fact]
    public async Task SmallStreamWindow_HoldsTheAnswer_UntilWindowUpdate()
    {
        var result = await RunAsync("small-window");
        Assert.True(result.GetProperty("responses").GetProperty("before-window-update").GetInt32() <= 10, result.ToString());
        Assert.True(result.GetProperty("data").GetProperty("1").GetInt32() > 10, result.ToString());
        Assert.Equal(200, result.GetProperty("responses").GetProperty("1").GetInt32());
    }

    [Theory]
    [InlineData("many-streams")]
    [InlineData("many-streams-small-window")]
    public async Task ManyStreamsInOneRead_EachGetTheirOwnAnswer_Whole(string name)
    {
        var result = await RunAsync(name);
        var responses = result.GetProperty("responses");
        for (var id = 1; id < 100; id += 2)
        {
            Assert.True(responses.GetProperty($"path-{id}").GetInt32() == 1, $"stream {id}: not its own answer, whole ({result})");
        }

        if (name.EndsWith("small-window", StringComparison.Ordinal))
        {
            Assert.True(responses.GetProperty("most-before-window-update").GetInt32() <= 10, result.ToString());
        }

        Assert.True(result.GetProperty("usable").GetBoolean(), result.ToString());
    }

    [Fact]
    public async Task PaddedFrames_AndRequestTrailers_AreServed()
    {
        var result = await RunAsync("padded-body-with-trailers");
        Assert.Equal(200, result.GetProperty("responses").GetProperty("1").GetInt32());
        Assert.True(result.GetProperty("usable").GetBoolean());
    }

    [Fact]
    public async Task BodyShorterThanItsContentLength_IsRefused()
    {
        var result = await RunAsync("length-mismatch");
        var refused = result.GetProperty("resets").TryGetProperty("1", out _)
            || result.GetProperty("responses").TryGetProperty("1", out var status) && status.GetInt32() == 400;
        Assert.True(refused, result.ToString());
    }

    [Fact]
    public async Task ClientGoAway_LetsTheStreamFinish_ThenTheServerCloses()
    {
        var result = await RunAsync("client-goaway");
        Assert.Equal(200, result.GetProperty("responses").GetProperty("1").GetInt32());
        Assert.True(result.GetProperty("closed").GetBoolean(), result.ToString());
    }
}
