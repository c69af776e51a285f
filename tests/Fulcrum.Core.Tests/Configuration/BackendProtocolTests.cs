using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

/// <summary>`backend-protocol` on pools, `h2c` on http listeners and the `grpc` health check (docs/grpc.md).</summary>
public sealed class BackendProtocolTests
{
    private const string Listener = """
        listeners:
          - name: web
            bind: 127.0.0.1:8080
            protocol: http
            h2c: true
            routes: [ { pool: p } ]

        """;

    [Theory]
    [InlineData("", BackendProtocol.Http11)]
    [InlineData("    backend-protocol: http/1.1\n", BackendProtocol.Http11)]
    [InlineData("    backend-protocol: h2c\n", BackendProtocol.H2c)]
    [InlineData("    backend-protocol: h2\n    tls: { server-name: api.internal }\n", BackendProtocol.H2)]
    public void BackendProtocol_IsReadPerPool_HttpOneByDefault(string keys, BackendProtocol expected)
    {
        var config = ConfigAssert.Valid(Listener + "pools:\n  - name: p\n" + keys + "    backends: [ { address: 10.0.0.1:50051 } ]\n");

        Assert.Equal(expected, config.Pools[0].BackendProtocol);
        Assert.True(config.Listeners[0].H2c);
    }

    [Fact]
    public void H2_OverHttpsBackends_TakesTheirTls()
    {
        var pool = ConfigAssert.Valid(Listener + "pools:\n  - name: p\n    backend-protocol: h2\n    backends: [ { address: https://10.0.0.1:50051 } ]\n").Pools[0];

        Assert.Equal(BackendProtocol.H2, pool.BackendProtocol);
        Assert.NotNull(pool.Tls);
    }

    [Fact]
    public void H2_WithoutTls_IsAnError_AtTheKey()
    {
        ConfigAssert.OneError(Listener + "pools:\n  - name: p\n    backend-protocol: h2\n    backends: [ { address: 10.0.0.1:50051 } ]\n", 9, 23,
            "backend-protocol h2 is HTTP/2 over TLS: pool 'p' needs a tls: block (or https:// backends); for cleartext HTTP/2 say h2c");
    }

    [Fact]
    public void H2c_WithTls_IsAnError_AtTheKey()
    {
        ConfigAssert.OneError(Listener + "pools:\n  - name: p\n    backend-protocol: h2c\n    tls: { verify: true }\n    backends: [ { address: 10.0.0.1:50051 } ]\n", 9, 23,
            "backend-protocol h2c is cleartext HTTP/2, but pool 'p' re-encrypts (tls: or https:// backends); for HTTP/2 over TLS say h2");
    }

    [Fact]
    public void UnknownBackendProtocol_NamesTheChoices()
    {
        var error = Assert.Single(ConfigAssert.Errors(Listener + "pools:\n  - name: p\n    backend-protocol: http2\n    backends: [ { address: 10.0.0.1:50051 } ]\n"));

        Assert.StartsWith("fulcrum.yaml:9:23: ", error);
        Assert.Contains("http/1.1", error);
        Assert.Contains("h2c", error);
    }

    [Fact]
    public void BackendProtocol_OnAPoolOfATcpListener_IsAnError()
    {
        var errors = ConfigAssert.Errors("""
            listeners:
              - name: db
                bind: 127.0.0.1:5432
                protocol: tcp
                pool: p
            pools:
              - name: p
                backend-protocol: h2c
                backends: [ { address: 10.0.0.1:5432 } ]
            """);

        var error = Assert.Single(errors);
        Assert.StartsWith("fulcrum.yaml:8:23: ", error);
        Assert.Contains("relay bytes", error);
    }

    [Fact]
    public void H2c_OnAnHttpsListener_IsAnError_PointingAtAlpn()
    {
        var errors = ConfigAssert.Errors("""
            listeners:
              - name: web
                bind: 127.0.0.1:8443
                protocol: https
                h2c: true
                tls: { certificates: [ { cert: a.pem, key: a.key } ] }
                routes: [ { pool: p } ]
            pools:
              - name: p
                backends: [ { address: 10.0.0.1:80 } ]
            """);

        Assert.Contains(errors, e => e.StartsWith("fulcrum.yaml:5:5: 'h2c' is for http listeners, not https listener 'web'", StringComparison.Ordinal) && e.Contains("tls.alpn"));
    }

    [Fact]
    public void GrpcHealthCheck_ReadsItsService_AndServiceIsForGrpcOnly()
    {
        var pool = ConfigAssert.Valid(Listener + """
            pools:
              - name: p
                backend-protocol: h2c
                health:
                  active: { type: grpc, service: echo.Echo, interval: 1s }
                backends: [ { address: 10.0.0.1:50051 } ]
            """).Pools[0];

        Assert.Equal(HealthCheckType.Grpc, pool.Health.Active!.Type);
        Assert.Equal("echo.Echo", pool.Health.Active.Service);

        ConfigAssert.OneError(Listener + """
            pools:
              - name: p
                health:
                  active: { type: http, service: echo.Echo }
                backends: [ { address: 10.0.0.1:50051 } ]
            """, 10, 29, "'service' is for grpc health checks, not type: http");
    }
}
