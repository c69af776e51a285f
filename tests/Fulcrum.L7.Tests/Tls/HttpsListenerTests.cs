using System.Security.Cryptography.X509Certificates;
using System.Diagnostics;
using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.Tls;

public sealed class HttpsListenerTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private CertificateConfig Entry(string name, params string[] names)
    {
        var (cert, key) = _pki.Write(_pki.Issue(names), name);
        return new CertificateConfig { Cert = cert, Key = key };
    }

    /// <summary>Named `web` unless told, so the harness (which aims a plain client at `web`) starts.</summary>
    internal static ListenerConfig Secure(ListenerTlsConfig tls, RouteConfig route, string name = "web") => new()
    {
        Name = name,
        Bind = new BindAddress(IPAddress.Loopback, 0),
        Protocol = ListenerProtocol.Https,
        Tls = tls,
        Routes = [route],
    };

    internal static HttpClient HttpsClient(ProxyHarness proxy, string listener = "web", System.Security.Cryptography.X509Certificates.X509Certificate2? clientCertificate = null)
    {
        var handler = new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, UseProxy = false };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        if (clientCertificate is not null) handler.SslOptions.ClientCertificates = [clientCertificate];
        return new HttpClient(handler)
        {
            BaseAddress = new Uri($"https://127.0.0.1:{proxy.Plane.BoundEndpoints[listener].Port}/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    [Fact]
    public async Task HttpsListener_ServesEachNameItsCertificate_AndNoSniTheDefault()
    {
        await using var backends = await Backends.StartAsync("a");
        var tls = new ListenerTlsConfig { Certificates = [Entry("a", "a.test"), Entry("b", "b.test", "*.b.test")] };
        await using var proxy = await ProxyHarness.StartAsync(new FulcrumConfig { Listeners = [Secure(tls, ToPool("app"))], Pools = [Pool("app", backends.All)] });
        var port = proxy.Plane.BoundEndpoints["web"].Port;

        Assert.Contains("CN=a.test", await OpenSsl.ServedSubjectAsync(port, "a.test"));
        Assert.Contains("CN=b.test", await OpenSsl.ServedSubjectAsync(port, "www.b.test"));
        Assert.Contains("CN=a.test", await OpenSsl.ServedSubjectAsync(port, null));
    }

    [Fact]
    public async Task StartedListener_IsLoggedWithItsOwnProtocol()
    {
        await using var backends = await Backends.StartAsync("a");
        var logs = new CapturingLoggerFactory();
        var tls = new ListenerTlsConfig { Certificates = [Entry("a", "a.test")] };
        var plain = Web(ToPool("app")) with { Name = "plain" };
        await using var proxy = await ProxyHarness.StartAsync(
            new FulcrumConfig { Listeners = [Secure(tls, ToPool("app"), name: "web"), plain], Pools = [Pool("app", backends.All)] }, loggerFactory: logs);

        Assert.Contains($"Listener web serving https on 127.0.0.1:{proxy.Plane.BoundEndpoints["web"].Port}", logs.Messages);
        Assert.Contains($"Listener plain serving http on 127.0.0.1:{proxy.Plane.BoundEndpoints["plain"].Port}", logs.Messages);
    }

    [Fact]
    public async Task ChangedCertificateFiles_AreServedWithoutARestart_AndAConfigReloadCanAddANewOne()
    {
        await using var backends = await Backends.StartAsync("a");
        var (cert, key) = _pki.Write(_pki.Issue(["a.test"]), "a");
        var tls = new ListenerTlsConfig { Certificates = [new CertificateConfig { Cert = cert, Key = key }] };
        var config = new FulcrumConfig { Listeners = [Secure(tls, ToPool("app"))], Pools = [Pool("app", backends.All)] };
        await using var proxy = await ProxyHarness.StartAsync(config);
        var port = proxy.Plane.BoundEndpoints["web"].Port;

        // The files change in place (a renewal): new handshakes get the new certificate, same listener.
        var renewed = _pki.Issue(["a.test", "renewed.a.test"]);
        TestPki.Replace(key, renewed.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n");
        TestPki.Replace(cert, renewed.ExportCertificatePem() + "\n");
        await Poll.UntilAsync(() => ServedSans(port, "a.test").Contains("renewed.a.test"), "the renewed certificate to be served");

        // A reload adds a certificate for another name.
        var entryB = Entry("b", "b.test");
        proxy.Store.Apply(config with { Listeners = [Secure(tls with { Certificates = [tls.Certificates[0], entryB] }, ToPool("app"))] });
        await Poll.UntilAsync(() => ServedSans(port, "b.test").Contains("b.test"), "the certificate added by the reload");
        Assert.Equal(port, proxy.Plane.BoundEndpoints["web"].Port);
    }

    [Fact]
    public async Task ACertificateRenewal_IsServed_WhileAFileBesideItIsWrittenAllTheTime()
    {
        await using var backends = await Backends.StartAsync("a");
        var (cert, key) = _pki.Write(_pki.Issue(["a.test"]), "a");
        var tls = new ListenerTlsConfig { Certificates = [new CertificateConfig { Cert = cert, Key = key }] };
        await using var proxy = await ProxyHarness.StartAsync(new FulcrumConfig { Listeners = [Secure(tls, ToPool("app"))], Pools = [Pool("app", backends.All)] });
        var port = proxy.Plane.BoundEndpoints["web"].Port;

        // A log kept beside the certificates, written every 20 ms: its events used to restart the 200 ms debounce, so
        // the renewal waited for the log to pause.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var neighbour = Path.Combine(Path.GetDirectoryName(cert)!, "access.log");
        // A thread of its own: the handshakes the poll makes block pool threads, which would space a pool-run writer out.
        var writer = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                File.AppendAllText(neighbour, "a line\n");
                stop.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(20));
            }
        }, TaskCreationOptions.LongRunning);
        try
        {
            var renewed = _pki.Issue(["a.test", "renewed.a.test"]);
            TestPki.Replace(key, renewed.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n");
            TestPki.Replace(cert, renewed.ExportCertificatePem() + "\n");
            await Poll.UntilAsync(() => ServedSans(port, "a.test").Contains("renewed.a.test"), "the renewed certificate to be served", TimeSpan.FromSeconds(15));
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }
    }

    [Fact]
    public async Task ReloadWithAnUnreadableCertificate_IsLoggedAsATlsError_AndTheListenerKeepsItsCertificate()
    {
        await using var backends = await Backends.StartAsync("a");
        var logs = new CapturingLoggerFactory();
        var tls = new ListenerTlsConfig { Certificates = [Entry("a", "a.test")] };
        var config = new FulcrumConfig { Listeners = [Secure(tls, ToPool("app"))], Pools = [Pool("app", backends.All)] };
        await using var proxy = await ProxyHarness.StartAsync(config, loggerFactory: logs);
        var port = proxy.Plane.BoundEndpoints["web"].Port;

        var missing = new CertificateConfig { Cert = Path.Combine(_pki.Directory, "gone.pem"), Key = Path.Combine(_pki.Directory, "gone.key") };
        proxy.Store.Apply(config with { Listeners = [Secure(tls with { Certificates = [missing] }, ToPool("app"))] });

        await Poll.UntilAsync(() => logs.Messages.Any(m => m.Contains("listener web: TLS not usable, keeping the certificates it has")), "the TLS error in the log");
        Assert.DoesNotContain(logs.Messages, m => m.Contains("route disabled"));
        Assert.Contains("a.test", ServedSans(port, "a.test"));
    }

    private static string ServedSans(int port, string serverName)
    {
        using var client = new System.Net.Sockets.TcpClient("127.0.0.1", port);
        using var ssl = new System.Net.Security.SslStream(client.GetStream());
        ssl.AuthenticateAsClient(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        var served = new System.Security.Cryptography.X509Certificates.X509Certificate2(ssl.RemoteCertificate!);
        return string.Join(",", Fulcrum.L7.Tls.CertificateLoader.NamesOf(served));
    }

    [Fact]
    public async Task CurlHttp2_NegotiatesH2_AndReachesAnHttp11Backend()
    {
        await using var backends = await Backends.StartAsync("h1-backend");
        var tls = new ListenerTlsConfig { Certificates = [Entry("a", "a.test")] };
        await using var proxy = await ProxyHarness.StartAsync(new FulcrumConfig { Listeners = [Secure(tls, ToPool("app"))], Pools = [Pool("app", backends.All)] });
        var port = proxy.Plane.BoundEndpoints["web"].Port;

        var output = await RunAsync("curl", $"-sk --http2 --max-time 20 --resolve a.test:{port}:127.0.0.1 -w \" %{{http_version}}\" https://a.test:{port}/echo");

        Assert.EndsWith(" 2", output);
        var echo = TestBackend.Echo.Parse(output[..^2]);
        Assert.Equal("h1-backend", echo.Backend);
        Assert.Equal("https", echo.Header("X-Forwarded-Proto"));
        Assert.Equal(1, backends[0].Requests);
    }

    [Fact]
    public async Task Hsts_IsAddedToHttpsResponses()
    {
        await using var backends = await Backends.StartAsync("a");
        var tls = new ListenerTlsConfig { Certificates = [Entry("a", "a.test")], Hsts = new HstsConfig { IncludeSubdomains = true } };
        await using var proxy = await ProxyHarness.StartAsync(new FulcrumConfig { Listeners = [Secure(tls, ToPool("app"))], Pools = [Pool("app", backends.All)] });
        using var client = HttpsClient(proxy);

        using var response = await client.GetAsync("/");

        Assert.Equal("max-age=31536000; includeSubDomains", response.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task HttpRedirect_SendsToTheHttpsListener_KeepingPathAndQuery()
    {
        await using var backends = await Backends.StartAsync("a");
        var tls = new ListenerTlsConfig { Certificates = [Entry("a", "a.test")] };
        var config = new FulcrumConfig { Listeners = [Secure(tls, ToPool("app"))], Pools = [Pool("app", backends.All)] };
        await using var first = await ProxyHarness.StartAsync(config);
        var httpsPort = first.Plane.BoundEndpoints["web"].Port;
        var redirect = new RouteConfig { Redirect = new RedirectConfig { Scheme = "https", Port = httpsPort, Status = 308 } };
        await using var proxy = await ProxyHarness.StartAsync(config with { Listeners = [Web(redirect)] });
        var request = new HttpRequestMessage(HttpMethod.Get, "/cart/items?page=2&sort=asc");
        request.Headers.Host = "127.0.0.1";

        using var response = await proxy.Client.SendAsync(request);
        using var client = HttpsClient(first);
        using var followed = await client.GetAsync(response.Headers.Location);

        Assert.Equal(HttpStatusCode.PermanentRedirect, response.StatusCode);
        Assert.Equal($"https://127.0.0.1:{httpsPort}/cart/items?page=2&sort=asc", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
    }

    [Fact]
    public async Task ClientCertificate_SubjectReachesTheBackend_AndAForgedHeaderDoesNot()
    {
        await using var backends = await Backends.StartAsync("a");
        var mtls = new ClientCertificateConfig { Ca = _pki.CaPath, Mode = ClientCertificateMode.Optional };
        var tls = new ListenerTlsConfig { Certificates = [Entry("a", "a.test")], ClientCertificates = mtls };
        await using var proxy = await ProxyHarness.StartAsync(new FulcrumConfig { Listeners = [Secure(tls, ToPool("app"))], Pools = [Pool("app", backends.All)] });
        using var alice = HttpsClient(proxy, clientCertificate: _pki.Issue(["alice.test"], client: true));
        using var anonymous = HttpsClient(proxy);

        var withCert = TestBackend.Echo.Parse(await alice.GetStringAsync("/echo"));
        var forged = new HttpRequestMessage(HttpMethod.Get, "/echo");
        forged.Headers.Add("X-Client-Cert-Subject", "CN=admin");
        using var forgedResponse = await anonymous.SendAsync(forged);
        var withoutCert = TestBackend.Echo.Parse(await forgedResponse.Content.ReadAsStringAsync());

        Assert.Equal("CN=alice.test", withCert.Header("X-Client-Cert-Subject"));
        Assert.Null(withoutCert.Header("X-Client-Cert-Subject"));
    }

    [Fact]
    public async Task Reencryption_ThroughTheDataPlane_WorksWithTheCa_AndFailsClosedWithout()
    {
        var (cert, key) = _pki.Write(_pki.Issue(["api.internal.test"]), "backend");
        var errors = new List<ConfigError>();
        using var backendTls = Fulcrum.L7.Tls.ListenerTls.Create(
            CertificateSelectionTests.Listener(new CertificateConfig { Cert = cert, Key = key }), _pki.Directory, TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, errors)!;
        await using var tlsBackend = await TlsTestServer.StartAsync(backendTls.OnConnection);
        var address = $"127.0.0.1:{tlsBackend.Port}";
        var trusted = new PoolConfig
        {
            Name = "trusted",
            Tls = new PoolTlsConfig { Ca = _pki.CaPath, ServerName = "api.internal.test" },
            Backends = [new BackendConfig { Address = address }],
        };
        var untrusted = trusted with { Name = "untrusted", Tls = new PoolTlsConfig { ServerName = "api.internal.test" } };
        var web = Web(ToPool("trusted", new MatchConfig { PathPrefix = "/trusted" }), ToPool("untrusted"));
        await using var proxy = await ProxyHarness.StartAsync(new FulcrumConfig { Listeners = [web], Pools = [trusted, untrusted] });

        using var ok = await proxy.Client.GetAsync("/trusted");
        using var refused = await proxy.Client.GetAsync("/other");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
    }

    internal static async Task<string> RunAsync(string file, string arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(cts.Token);
        Assert.True(process.ExitCode == 0, $"{file} {arguments} exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}
