using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tls;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.L7.Tests.Tls;

public sealed class CertificateSelectionTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    internal static ListenerConfig Listener(params CertificateConfig[] certificates) => new()
    {
        Name = "secure",
        Bind = new BindAddress(IPAddress.Loopback, 0),
        Protocol = ListenerProtocol.Https,
        Tls = new ListenerTlsConfig { Certificates = [.. certificates] },
    };

    private CertificateConfig Entry(string name, params string[] names)
    {
        var (cert, key) = _pki.Write(_pki.Issue(names), name);
        return new CertificateConfig { Cert = cert, Key = key, Location = new SourceLocation("fulcrum.yaml", 12, 11) };
    }

    private ListenerTls Create(ListenerConfig listener)
    {
        var errors = new List<ConfigError>();
        var tls = ListenerTls.Create(listener, _pki.Directory, TimeProvider.System, NullLogger.Instance, errors);
        Assert.Empty(errors);
        return tls!;
    }

    [Fact]
    public async Task OpenSslClient_GetsTheCertificateForItsServerName_AndNoSniGetsTheDefault()
    {
        using var tls = Create(Listener(Entry("a", "a.test"), Entry("b", "b.test")));
        await using var server = await TlsTestServer.StartAsync(tls.OnConnection);

        Assert.Contains("CN=a.test", await OpenSsl.ServedSubjectAsync(server.Port, "a.test"));
        Assert.Contains("CN=b.test", await OpenSsl.ServedSubjectAsync(server.Port, "b.test"));
        Assert.Contains("CN=a.test", await OpenSsl.ServedSubjectAsync(server.Port, null));
    }

    [Fact]
    public void Selection_UsesSanNames_Wildcards_ForOneLabel_AndTheMarkedDefault()
    {
        var wild = Entry("wild", "*.example.test");
        using var tls = Create(Listener(Entry("a", "a.test", "www.a.test"), wild with { Default = true }, Entry("apex", "example.test")));
        var set = tls.Certificates;

        Assert.Equal("a.test", set.Select("WWW.A.TEST").Names[0]);
        Assert.Equal("*.example.test", set.Select("shop.example.test").Names[0]);
        Assert.Equal("*.example.test", set.Select("shop.example.test.").Names[0]);
        Assert.Equal("example.test", set.Select("example.test").Names[0]);
        // A wildcard covers exactly one label: deeper names fall to the default (here the wildcard itself is default).
        Assert.Same(set.Default, set.Select("a.b.example.test"));
        Assert.Same(set.Default, set.Select(null));
        Assert.Equal("*.example.test", set.Default.Names[0]);
    }

    [Fact]
    public void ExpiredCertificate_IsAConfigErrorAtItsEntry_NotAHandshakeFailure()
    {
        var (cert, key) = _pki.Write(_pki.Issue(["old.test"], DateTimeOffset.UtcNow.AddDays(-30), TimeSpan.FromDays(10)), "old");
        var errors = new List<ConfigError>();

        var tls = ListenerTls.Create(Listener(new CertificateConfig { Cert = cert, Key = key, Location = new SourceLocation("f.yaml", 9, 11) }),
            _pki.Directory, TimeProvider.System, NullLogger.Instance, errors);

        Assert.Null(tls);
        var error = Assert.Single(errors);
        Assert.Equal("f.yaml:9:11", error.Location.ToString());
        Assert.Contains("expired", error.Message);
    }

    [Fact]
    public void KeyOfAnotherCertificate_IsAConfigErrorAtItsEntry()
    {
        var (cert, _) = _pki.Write(_pki.Issue(["a.test"]), "a");
        var (_, otherKey) = _pki.Write(_pki.Issue(["b.test"]), "b");
        var errors = new List<ConfigError>();

        var tls = ListenerTls.Create(Listener(new CertificateConfig { Cert = cert, Key = otherKey, Location = new SourceLocation("f.yaml", 7, 11) }),
            _pki.Directory, TimeProvider.System, NullLogger.Instance, errors);

        Assert.Null(tls);
        var error = Assert.Single(errors);
        Assert.Equal("f.yaml:7:11", error.Location.ToString());
        Assert.Contains("do not load as a pair", error.Message);
    }

    [Fact]
    public void KeyThatDoesNotLoad_IsNamedByItsPath_NeverQuoted()
    {
        var (cert, _) = _pki.Write(_pki.Issue(["a.test"]), "a");
        var (_, otherKey) = _pki.Write(_pki.Issue(["b.test"]), "b");
        var broken = Path.Combine(_pki.Directory, "broken.key");
        File.WriteAllText(broken, "-----BEGIN PRIVATE KEY-----\nU0VDUkVUU0VDUkVUc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n");
        var keyLines = File.ReadAllLines(otherKey).Where(l => !l.StartsWith("-----", StringComparison.Ordinal)).ToList();

        foreach (var key in new[] { otherKey, broken })
        {
            var errors = new List<ConfigError>();
            ListenerTls.Create(Listener(new CertificateConfig { Cert = cert, Key = key }), _pki.Directory, TimeProvider.System, NullLogger.Instance, errors);

            var error = Assert.Single(errors).Message;
            Assert.Contains(key, error);
            Assert.DoesNotContain("U0VDUkVU", error);
            Assert.All(keyLines, line => Assert.DoesNotContain(line, error));
        }
    }

    [Fact]
    public void MissingFile_UnknownCipherSuite_AndMissingCertificates_AreConfigErrors()
    {
        var errors = new List<ConfigError>();
        var listener = Listener(new CertificateConfig { Cert = "nope.pem", Key = "nope.key" });
        listener = listener with { Tls = listener.Tls! with { CipherSuites = ["TLS_NOT_A_SUITE"] } };

        Assert.Null(ListenerTls.Create(listener, _pki.Directory, TimeProvider.System, NullLogger.Instance, errors));
        Assert.Null(ListenerTls.Create(Listener(), _pki.Directory, TimeProvider.System, NullLogger.Instance, errors));

        Assert.Contains(errors, e => e.Message.Contains("not found") && e.Message.Contains("nope.pem"));
        Assert.Contains(errors, e => e.Message.Contains("TLS_NOT_A_SUITE"));
        Assert.Contains(errors, e => e.Message.Contains("needs tls.certificates"));
    }

    [Fact]
    public void RelativePaths_AreRelativeToTheConfigDirectory()
    {
        Entry("rel", "rel.test");

        using var tls = Create(Listener(new CertificateConfig { Cert = "rel.pem", Key = "rel.key" }));

        Assert.Equal("rel.test", tls.Certificates.Default.Names[0]);
    }
}
