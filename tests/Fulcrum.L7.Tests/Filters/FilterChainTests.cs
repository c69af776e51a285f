using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Filters;
using Fulcrum.L7.Tests.Support;
using Fulcrum.L7.Tests.Tls;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.Filters;

/// <summary>A filter a route names in `filters:`: where it runs, what it sees, and what its answer skips.</summary>
public sealed class FilterChainTests : IDisposable
{
    private readonly TestPki _pki = new();
    private readonly RecordingFilter.Factory _recorder = new("recorder", FilterStage.Authentication);
    private readonly RecordingFilter.Factory _late = new("late-recorder", FilterStage.Waf);

    public void Dispose() => _pki.Dispose();

    private FilterRegistry Registry => FilterRegistry.Default.With(_recorder, _late);

    // An https listener (ALPN offers h2 and http/1.1) whose one route has transforms on both sides and the given filters.
    private FulcrumConfig Config(Backends backends, params FilterConfig[] filters)
    {
        var (cert, key) = _pki.Write(_pki.Issue(["a.test", "127.0.0.1"]), "a");
        var route = ToPool("app", transforms: new TransformsConfig
        {
            SecurityHeaders = true,
            RequestHeaders = new HeaderEdits { Set = [new("X-Edited", "yes")] },
        }) with { Filters = [.. filters] };
        var tls = new ListenerTlsConfig { Certificates = [new CertificateConfig { Cert = cert, Key = key }] };
        return new FulcrumConfig { Listeners = [HttpsListenerTests.Secure(tls, route)], Pools = [Pool("app", backends.All)] };
    }

    private static FilterConfig Filter(string name, params (string Key, string Value)[] settings) =>
        new() { Name = name, Settings = [.. settings.Select(s => new KeyValuePair<string, string>(s.Key, s.Value))] };

    private static HttpRequestMessage Get(string path, Version version)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.Add("X-Probe", "probe-1");
        request.Headers.Add("Cookie", "c=crumb");
        return request;
    }

    [Fact]
    public async Task ConfiguredFilter_RunsAtItsStage_AndSeesTheSameRequestOverHttp1AndHttp2()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Config(backends, Filter("served-by"), Filter("recorder")), Registry);
        using var client = HttpsClient(proxy);

        foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
        {
            using var response = await client.SendAsync(Get("/echo/x?q=1", version));
            Assert.Equal(version, response.Version);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var echo = TestBackend.Echo.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("yes", echo.Header("X-Edited")); // the request edits ran after the recorder, before the backend
            Assert.Equal("a", response.Headers.GetValues("X-Served-By").Single());
        }

        var recorder = Assert.Single(_recorder.Made);
        var seen = recorder.Requests.ToArray();
        Assert.Equal(["HTTP/1.1", "HTTP/2"], seen.Select(s => s.Protocol));
        foreach (var s in seen)
        {
            // The same model whichever protocol carried the request.
            Assert.Equal(("GET", "https", "/echo/x", "?q=1", "probe-1", "crumb", "127.0.0.1"), (s.Method, s.Scheme, s.Path, s.Query, s.Probe, s.Cookie, s.Client));
            Assert.StartsWith("127.0.0.1:", s.Host);
            // Stage order on the way in: request-id (above) ran, the request edits and X-Forwarded-* (below) did not yet.
            Assert.True(s.SawRequestId);
            Assert.False(s.SawRequestEdit);
            Assert.False(s.SawForwardedFor);
        }

        // On the way back in reverse: served-by (below it) already ran, the security headers (above it) not yet.
        Assert.All(recorder.Responses, r => Assert.Equal(new RecordingFilter.SeenResponse(200, SawServedBy: true, SawSecurityHeaders: false), r));
    }

    [Fact]
    public async Task FilterThatAnswers_SkipsTheFiltersBelowAndTheBackend_AndItsAnswerGoesUpThroughTheFiltersAbove()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(
            Config(backends, Filter("late-recorder"), Filter("served-by"), Filter("recorder", ("require", "X-Let-In"))), Registry);
        using var client = HttpsClient(proxy);

        foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
        {
            using var response = await client.SendAsync(Get("/", version));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("401 by the recorder\n", await response.Content.ReadAsStringAsync());
            Assert.Equal("Test", response.Headers.WwwAuthenticate.Single().Scheme);
            Assert.True(response.Headers.Contains("X-Request-ID")); // request-id is above the recorder
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single()); // so are the response edits
            Assert.False(response.Headers.Contains("X-Served-By")); // served-by is below: skipped
        }

        Assert.Equal(0, backends[0].Requests);
        var late = Assert.Single(_late.Made);
        Assert.Empty(late.Requests); // the later stage never saw the answered requests

        var letIn = Get("/", HttpVersion.Version20);
        letIn.Headers.Add("X-Let-In", "1");
        using var passed = await client.SendAsync(letIn);
        Assert.Equal(HttpStatusCode.OK, passed.StatusCode);
        Assert.Equal(1, backends[0].Requests);
        Assert.Single(late.Requests);
    }

    [Fact]
    public async Task BodyHooks_PutStreamsOverBothBodies()
    {
        await using var backends = await Backends.StartAsync("a");
        await using var proxy = await ProxyHarness.StartAsync(Config(backends, Filter("recorder", ("count-bodies", "true"))), Registry);
        using var client = HttpsClient(proxy);

        var body = new byte[100_000];
        using var response = await client.PostAsync("/echo?read-body", new ByteArrayContent(body));
        var answer = await response.Content.ReadAsByteArrayAsync();

        var recorder = Assert.Single(_recorder.Made);
        Assert.Equal(body.Length, recorder.RequestBytes.Count);
        Assert.Equal(answer.Length, recorder.ResponseBytes.Count);
    }

    [Fact]
    public async Task UnknownFilterName_DisablesTheRoute_AndTheCheckNamesItsLocation()
    {
        var config = new FulcrumConfig
        {
            Listeners = [Web(ToPool("app") with { Filters = [Filter("nope") with { Location = new SourceLocation("f.yaml", 7, 9) }] })],
            Pools = [Pool("app")],
        };

        var error = Assert.Single(FilterConfigCheck.Check(config));
        Assert.Equal("f.yaml:7:9", error.Location.ToString());
        Assert.Contains("unknown filter 'nope'; known filters: served-by", error.Message);

        await using var proxy = await ProxyHarness.StartAsync(config);
        using var response = await proxy.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private HttpClient HttpsClient(ProxyHarness proxy) => HttpsListenerTests.HttpsClient(proxy);
}
