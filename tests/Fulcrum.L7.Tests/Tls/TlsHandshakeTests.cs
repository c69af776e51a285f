using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tls;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.L7.Tests.Tls;

public sealed class TlsHandshakeTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private ListenerTls Create(ListenerConfig listener)
    {
        var errors = new List<ConfigError>();
        var tls = ListenerTls.Create(listener, _pki.Directory, TimeProvider.System, NullLogger.Instance, errors);
        Assert.Empty(errors);
        return tls!;
    }

    private static async Task<(SslStream Stream, X509Certificate2 Served)> HandshakeAsync(int port, string serverName,
        List<SslApplicationProtocol>? alpn = null, X509Certificate2? clientCertificate = null,
        System.Security.Authentication.SslProtocols protocols = System.Security.Authentication.SslProtocols.None)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            ApplicationProtocols = alpn,
            EnabledSslProtocols = protocols,
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, cts.Token);
        return (ssl, new X509Certificate2(ssl.RemoteCertificate!));
    }

    [Fact]
    public async Task Alpn_NegotiatesH2_WhenTheClientOffersIt_ElseHttp11()
    {
        var (cert, key) = _pki.Write(_pki.Issue(["a.test"]), "a");
        using var tls = Create(CertificateSelectionTests.Listener(new CertificateConfig { Cert = cert, Key = key }));
        await using var server = await TlsTestServer.StartAsync(tls.OnConnection);

        var (h2, _) = await HandshakeAsync(server.Port, "a.test", [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11]);
        var (h1, _) = await HandshakeAsync(server.Port, "a.test", [SslApplicationProtocol.Http11]);

        Assert.Equal(SslApplicationProtocol.Http2, h2.NegotiatedApplicationProtocol);
        Assert.Equal(SslApplicationProtocol.Http11, h1.NegotiatedApplicationProtocol);
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls13, h2.SslProtocol);
        await h2.DisposeAsync();
        await h1.DisposeAsync();
    }

    [Fact]
    public async Task MinVersion13_RefusesATls12OnlyClient()
    {
        var (cert, key) = _pki.Write(_pki.Issue(["a.test"]), "a");
        var listener = CertificateSelectionTests.Listener(new CertificateConfig { Cert = cert, Key = key });
        using var tls = Create(listener with { Tls = listener.Tls! with { MinVersion = TlsVersion.Tls13 } });
        await using var server = await TlsTestServer.StartAsync(tls.OnConnection);

        var (tls13, _) = await HandshakeAsync(server.Port, "a.test");
        await tls13.DisposeAsync();

        await Assert.ThrowsAnyAsync<Exception>(() => HandshakeAsync(server.Port, "a.test", protocols: System.Security.Authentication.SslProtocols.Tls12));
    }

    [Fact]
    public async Task CipherSuites_RestrictWhatTheHandshakeMayNegotiate()
    {
        var (cert, key) = _pki.Write(_pki.Issue(["a.test"]), "a");
        var listener = CertificateSelectionTests.Listener(new CertificateConfig { Cert = cert, Key = key });
        using var tls = Create(listener with { Tls = listener.Tls! with { CipherSuites = ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256"] } });
        await using var server = await TlsTestServer.StartAsync(tls.OnConnection);

        var (tls12, _) = await HandshakeAsync(server.Port, "a.test", protocols: System.Security.Authentication.SslProtocols.Tls12);
        var (tls13, _) = await HandshakeAsync(server.Port, "a.test", protocols: System.Security.Authentication.SslProtocols.Tls13);

        Assert.Equal(TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls12.NegotiatedCipherSuite);
        Assert.Equal(TlsCipherSuite.TLS_AES_128_GCM_SHA256, tls13.NegotiatedCipherSuite);
        await tls12.DisposeAsync();
        await tls13.DisposeAsync();
    }

    [Fact]
    public async Task Rotation_UnderLoad_FailsNoHandshake_AndNewHandshakesGetTheNewCertificate()
    {
        var first = _pki.Issue(["a.test"]);
        var (cert, key) = _pki.Write(first, "a");
        using var tls = Create(CertificateSelectionTests.Listener(new CertificateConfig { Cert = cert, Key = key }));
        tls.StartWatching();
        await using var server = await TlsTestServer.StartAsync(tls.OnConnection);

        var second = _pki.Issue(["a.test"]);
        var failures = 0;
        var handshakes = 0;
        var seenNew = false;
        var deadline = Stopwatch.StartNew();
        var rotated = false;
        // Two clients handshake in a loop; the files change under them; bounded by count and time.
        async Task LoadAsync()
        {
            while (deadline.Elapsed < TimeSpan.FromSeconds(30) && handshakes < 2_000 && !Volatile.Read(ref seenNew))
            {
                try
                {
                    var (stream, served) = await HandshakeAsync(server.Port, "a.test");
                    await stream.DisposeAsync();
                    Interlocked.Increment(ref handshakes);
                    if (served.Thumbprint == second.Thumbprint) Volatile.Write(ref seenNew, true);
                }
                catch (Exception)
                {
                    Interlocked.Increment(ref failures);
                }

                if (!rotated && Volatile.Read(ref handshakes) >= 20)
                {
                    rotated = true;
                    // Key first, then certificate: in between the pair does not match, and the reload must keep the old one.
                    TestPki.Replace(key, second.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n");
                    TestPki.Replace(cert, second.ExportCertificatePem() + "\n");
                }
            }
        }

        await Task.WhenAll(LoadAsync(), LoadAsync());

        Assert.Equal(0, failures);
        Assert.True(seenNew, $"the new certificate was not served after {handshakes} handshakes");
    }

    [Fact]
    public async Task ClientCertificates_Required_LetsInAClientOfTheCa_AndRefusesOneWithout()
    {
        var (cert, key) = _pki.Write(_pki.Issue(["a.test"]), "a");
        var listener = CertificateSelectionTests.Listener(new CertificateConfig { Cert = cert, Key = key });
        using var tls = Create(listener with { Tls = listener.Tls! with { ClientCertificates = new ClientCertificateConfig { Ca = _pki.CaPath } } });
        await using var server = await TlsTestServer.StartAsync(tls.OnConnection);
        using var stranger = new TestPki("Stranger CA");

        var (ok, _) = await HandshakeAsync(server.Port, "a.test", [SslApplicationProtocol.Http11], _pki.Issue(["alice"], client: true));
        var body = await GetAsync(ok);
        await ok.DisposeAsync();

        Assert.Contains("CN=alice", body);
        Assert.Equal("X-Client-Cert-Subject", tls.ClientSubjectHeader);
        await Assert.ThrowsAnyAsync<Exception>(async () => await GetAsync((await HandshakeAsync(server.Port, "a.test", [SslApplicationProtocol.Http11])).Stream));
        await Assert.ThrowsAnyAsync<Exception>(async () =>
            await GetAsync((await HandshakeAsync(server.Port, "a.test", [SslApplicationProtocol.Http11], stranger.Issue(["mallory"], client: true))).Stream));
    }

    [Fact]
    public async Task ClientCertificates_Optional_LetsInAClientWithoutOne()
    {
        var (cert, key) = _pki.Write(_pki.Issue(["a.test"]), "a");
        var listener = CertificateSelectionTests.Listener(new CertificateConfig { Cert = cert, Key = key });
        var mtls = new ClientCertificateConfig { Ca = _pki.CaPath, Mode = ClientCertificateMode.Optional };
        using var tls = Create(listener with { Tls = listener.Tls! with { ClientCertificates = mtls } });
        await using var server = await TlsTestServer.StartAsync(tls.OnConnection);

        var (anonymous, _) = await HandshakeAsync(server.Port, "a.test", [SslApplicationProtocol.Http11]);
        var body = await GetAsync(anonymous);
        await anonymous.DisposeAsync();

        Assert.Contains("HTTP/1.1 -\r\n", body);
    }

    private static async Task<string> GetAsync(SslStream stream)
    {
        await stream.WriteAsync("GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n"u8.ToArray());
        using var reader = new StreamReader(stream);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var text = await reader.ReadToEndAsync(cts.Token);
        Assert.StartsWith("HTTP/1.1 200", text);
        return text.TrimEnd();
    }
}
