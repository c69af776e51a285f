using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tls;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.L7.Tests.Tls;

public sealed class BackendReencryptionTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private async Task<(TlsTestServer Server, List<string?> SniSeen)> StartBackendAsync(string[] names)
    {
        var server = await TlsTestServer.StartWithCertificateAsync(_pki, names);
        return (server, server.ServerNamesSeen);
    }

    private static async Task<HttpResponseMessage> GetThroughAsync(PoolTlsConfig tls, int port, string baseDirectory)
    {
        var pool = new PoolConfig { Name = "secure-backends", Tls = tls };
        var errors = new List<ConfigError>();
        var connector = BackendTlsConnector.Create(pool, baseDirectory, NullLogger.Instance, errors);
        Assert.Empty(errors);
        using var handler = new SocketsHttpHandler { ConnectCallback = connector!.ConnectAsync, UseProxy = false };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        // The handler speaks plain HTTP/1.1 to the stream the connector returns, which is TLS.
        return await client.GetAsync($"http://127.0.0.1:{port}/");
    }

    [Fact]
    public async Task BackendWithATestCaCertificate_IsReached_WhenTheCaIsConfigured_AndSniIsTheServerName()
    {
        var (server, sni) = await StartBackendAsync(["api.internal.test"]);
        await using var _ = server;

        using var response = await GetThroughAsync(new PoolTlsConfig { Ca = _pki.CaPath, ServerName = "api.internal.test" }, server.Port, _pki.Directory);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("api.internal.test", sni);
    }

    [Fact]
    public async Task BackendWithATestCaCertificate_FailsClosed_WithoutTheCa()
    {
        var (server, _) = await StartBackendAsync(["api.internal.test"]);
        await using var _ = server;

        await Assert.ThrowsAsync<HttpRequestException>(() => GetThroughAsync(new PoolTlsConfig { ServerName = "api.internal.test" }, server.Port, _pki.Directory));
    }

    [Fact]
    public async Task BackendCertificateForAnotherName_FailsClosed_EvenWithTheCa()
    {
        var (server, _) = await StartBackendAsync(["other.internal.test"]);
        await using var _ = server;

        await Assert.ThrowsAsync<HttpRequestException>(() =>
            GetThroughAsync(new PoolTlsConfig { Ca = _pki.CaPath, ServerName = "api.internal.test" }, server.Port, _pki.Directory));
    }

    [Fact]
    public async Task InsecureSkipVerify_ReachesAnyBackend()
    {
        var (server, _) = await StartBackendAsync(["whatever.test"]);
        await using var _ = server;

        using var response = await GetThroughAsync(new PoolTlsConfig { InsecureSkipVerify = true }, server.Port, _pki.Directory);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void UnreadableCaBundle_IsAConfigError()
    {
        var errors = new List<ConfigError>();

        var connector = BackendTlsConnector.Create(new PoolConfig { Name = "p", Tls = new PoolTlsConfig { Ca = "missing-ca.pem" } }, _pki.Directory, NullLogger.Instance, errors);

        Assert.Null(connector);
        Assert.Contains("missing-ca.pem", Assert.Single(errors).Message);
    }
}
