using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;

namespace Fulcrum.L7.Tests.Tls;

/// <summary>`address: https://host:port` re-encrypts to that backend through the whole data plane.</summary>
public sealed class HttpsBackendAddressTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private static FulcrumConfig Load(string yaml)
    {
        var result = ConfigLoader.LoadText(yaml, "fulcrum.yaml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Config!;
    }

    private static string Config(int port, string poolKeys = "") => $$"""
        listeners:
          - { name: web, bind: 127.0.0.1:0, protocol: http, routes: [ { pool: secure } ] }
        pools:
          - name: secure
        {{poolKeys}}
            backends:
              - address: https://localhost:{{port}}
        """;

    [Fact]
    public async Task HttpsAddress_WithThePoolsCa_ReEncrypts_AndSendsTheAddressHostAsSni()
    {
        await using var backend = await TlsTestServer.StartWithCertificateAsync(_pki, ["localhost"]);
        await using var proxy = await ProxyHarness.StartAsync(Load(Config(backend.Port, $"    tls: {{ ca: {_pki.CaPath} }}")));

        using var response = await proxy.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("HTTP/1.1", await response.Content.ReadAsStringAsync());
        Assert.Contains("localhost", backend.ServerNamesSeen);
    }

    [Fact]
    public async Task HttpsAddress_WithoutATlsBlock_VerifiesAgainstTheSystemStore_AndRefusesATestCaCertificate()
    {
        await using var backend = await TlsTestServer.StartWithCertificateAsync(_pki, ["localhost"]);
        await using var proxy = await ProxyHarness.StartAsync(Load(Config(backend.Port)));

        using var response = await proxy.Client.GetAsync("/");

        // The handshake reached the backend with SNI localhost, and the proxy refused its certificate.
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("localhost", backend.ServerNamesSeen);
    }

    [Fact]
    public async Task HttpsAddress_WithInsecureSkipVerify_ReachesTheBackend()
    {
        await using var backend = await TlsTestServer.StartWithCertificateAsync(_pki, ["elsewhere.test"]);
        await using var proxy = await ProxyHarness.StartAsync(Load(Config(backend.Port, "    tls: { insecure-skip-verify: true }")));

        using var response = await proxy.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
