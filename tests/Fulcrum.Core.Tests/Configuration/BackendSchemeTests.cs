using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

public sealed class BackendSchemeTests
{
    private static string Pool(string body) => $"pools:\n  - name: p\n{body}";

    [Fact]
    public void HttpsAddresses_WithoutATlsBlock_ReEncryptWithTheDefaults()
    {
        var pool = ConfigAssert.Valid(Pool("""
                backends:
                  - address: https://10.0.0.1:8443
                  - address: https://api.internal
            """)).Pools[0];

        Assert.NotNull(pool.Tls);
        Assert.True(pool.Tls.Verify);
        Assert.Null(pool.Tls.Ca);           // the system store
        Assert.Null(pool.Tls.ServerName);   // SNI and the name to verify: each backend's host
        Assert.False(pool.Tls.InsecureSkipVerify);
        Assert.Equal(4, pool.Tls.Location.Line);
        Assert.Equal(["10.0.0.1:8443", "api.internal:443"], pool.Backends.Select(b => b.Address));
        Assert.Equal(["10.0.0.1:8443", "api.internal:443"], pool.Backends.Select(b => b.Id));
        Assert.All(pool.Backends, b => Assert.Equal(BackendScheme.Https, b.Scheme));
    }

    [Fact]
    public void HttpsAddresses_WithATlsBlock_UseItsSettings()
    {
        var pool = ConfigAssert.Valid(Pool("""
                tls: { ca: certs/internal-ca.pem, server-name: api.internal }
                backends:
                  - address: https://10.0.0.1:8443
                  - address: 10.0.0.2:8443
            """)).Pools[0];

        Assert.Equal("certs/internal-ca.pem", pool.Tls!.Ca);
        Assert.Equal("api.internal", pool.Tls.ServerName);
    }

    [Fact]
    public void HttpAddresses_ArePlain()
    {
        var pool = ConfigAssert.Valid(Pool("""
                backends:
                  - address: http://10.0.0.1:8080
                  - address: http://10.0.0.2
            """)).Pools[0];

        Assert.Null(pool.Tls);
        Assert.Equal(["10.0.0.1:8080", "10.0.0.2:80"], pool.Backends.Select(b => b.Address));
    }

    private const string OneScheme =
        "use different schemes; all backends of pool 'p' use one scheme: write https:// on each to re-encrypt, or http:// (or none) on each for plain http";

    [Theory]
    // http beside https: the later one is named, with the line of the first.
    [InlineData("", "https://10.0.0.1:8443", "http://10.0.0.2:8080", 6,
        "backend 'http://10.0.0.2:8080' and 'https://10.0.0.1:8443' (line 5) " + OneScheme)]
    // A bare address is plain http in a pool without a tls block.
    [InlineData("", "10.0.0.2:8080", "https://10.0.0.1:8443", 5,
        "backend '10.0.0.2:8080' (plain http: the pool has no tls: block) and 'https://10.0.0.1:8443' (line 6) " + OneScheme)]
    // http:// contradicts a tls block.
    [InlineData("tls: {}", "10.0.0.1:8443", "http://10.0.0.2:8080", 6,
        "backend 'http://10.0.0.2:8080' says http://, but pool 'p' has a tls: block (re-encryption to every backend); all backends of a pool use one scheme")]
    public void MixedSchemesInOnePool_AreAnError_NamingBothLines(string poolKey, string first, string second, int line, string message)
    {
        ConfigAssert.OneError($"pools:\n  - name: p\n    {(poolKey.Length > 0 ? poolKey : "algorithm: round-robin")}\n    backends:\n" +
            $"      - address: {first}\n      - address: {second}\n", line, 9, message);
    }

    [Fact]
    public void HttpsAddress_BehindATcpListener_IsAnError()
    {
        ConfigAssert.OneError("""
            listeners:
              - { name: db, bind: 127.0.0.1:0, protocol: tcp, pool: p }
            pools:
              - name: p
                backends:
                  - address: https://10.0.0.1:8443
            """, 6, 9,
            "'address: https://10.0.0.1:8443' needs http or https listeners, but pool 'p' serves tcp listener 'db'");
    }
}
