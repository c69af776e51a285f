using Fulcrum.Commands;
using Fulcrum.L7.Tls;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Cli;

public sealed class CertCommandTests
{
    private static string HttpsConfig(string certA, string keyA, string certB, string keyB) => $$"""
        listeners:
          - name: secure
            bind: 127.0.0.1:0
            protocol: https
            tls:
              certificates:
                - { cert: {{certA}}, key: {{keyA}} }
                - { cert: {{certB}}, key: {{keyB}} }
            routes:
              - pool: app
        pools:
          - name: app
            backends:
              - { address: 127.0.0.1:9 }
        """;

    [Fact]
    public void SelfSigned_WritesACertificateAndKey_ThatLoadAsAPair_WithEveryName()
    {
        using var file = new ConfigFile("");
        var output = new StringWriter();

        var code = CertCommand.SelfSigned(["a.test", "*.a.test", "127.0.0.1"], file.Directory, 30, output, new StringWriter());

        Assert.Equal(0, code);
        var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(
            Path.Combine(file.Directory, "a.test.pem"), Path.Combine(file.Directory, "a.test.key"));
        Assert.Equal(["a.test", "*.a.test"], CertificateLoader.NamesOf(certificate).ToArray());
        Assert.InRange(certificate.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(29), DateTime.UtcNow.AddDays(31));
        Assert.Contains("a.test.pem", output.ToString());
    }

    [Fact]
    public void Show_PrintsTheCertificateAListenerServesForAName_AndTheDefaultForNone()
    {
        using var file = new ConfigFile("");
        CertCommand.SelfSigned(["a.test"], file.Directory, 30, TextWriter.Null, TextWriter.Null);
        CertCommand.SelfSigned(["b.test", "*.b.test"], file.Directory, 30, TextWriter.Null, TextWriter.Null);
        File.WriteAllText(file.Path, HttpsConfig("a.test.pem", "a.test.key", "b.test.pem", "b.test.key"));

        var forB = new StringWriter();
        var forNone = new StringWriter();
        var errors = new StringWriter();
        Assert.Equal(0, CertCommand.Show(file.Path, "secure", "www.b.test", forB, errors));
        Assert.Equal(0, CertCommand.Show(file.Path, "secure", null, forNone, errors));
        Assert.Equal(2, CertCommand.Show(file.Path, "nope", null, TextWriter.Null, errors));

        Assert.Contains("subject:     CN=b.test", forB.ToString());
        Assert.Contains("names:       b.test, *.b.test", forB.ToString());
        Assert.Contains("subject:     CN=a.test", forNone.ToString());
        Assert.Contains("(default)", forNone.ToString());
        Assert.Contains("no https listener named 'nope'", errors.ToString());
    }

    [Fact]
    public async Task Validate_ExpiredCertificate_ExitsTwo_PointingAtItsEntry()
    {
        using var file = new ConfigFile("");
        using (var expired = SelfSignedCertificate.Create(["old.test"], TimeSpan.FromDays(1), DateTimeOffset.UtcNow.AddDays(-30)))
        {
            SelfSignedCertificate.WritePem(expired, file.Directory, "old.test");
        }

        CertCommand.SelfSigned(["a.test"], file.Directory, 30, TextWriter.Null, TextWriter.Null);
        File.WriteAllText(file.Path, HttpsConfig("a.test.pem", "a.test.key", "old.test.pem", "old.test.key"));

        var (code, process) = await FulcrumProcess.RunToEndAsync("validate", "-c", file.Path);
        await using var _ = process;

        Assert.True(code == 2, process.Output);
        var line = Assert.Single(process.StderrLines);
        Assert.StartsWith($"{file.Path}:8:", line);
        Assert.Contains("expired", line);
    }
}
