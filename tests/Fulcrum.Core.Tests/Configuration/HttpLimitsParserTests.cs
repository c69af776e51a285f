using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

public sealed class HttpLimitsParserTests
{
    private static ConfigLoadResult Load(string protocol, string limits) => ConfigLoader.LoadText($$"""
        listeners:
          - name: web
            bind: 127.0.0.1:8080
            protocol: {{protocol}}
            {{(protocol == "tcp" ? "pool: app" : "routes: [ { pool: app } ]")}}
            limits: {{limits}}
        pools:
          - name: app
            backends: [ { address: 127.0.0.1:9001 } ]
        """, "f.yaml");

    [Fact]
    public void EveryKey_IsRead_AndUnsetOnesKeepKestrelsDefaults()
    {
        var result = Load("http", "{ max-request-line: 4KiB, max-body-size: 10MiB, header-timeout: 10s, min-body-rate: 0, http2-max-streams: 50 }");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var limits = result.Config!.Listeners[0].Limits;
        Assert.Equal((4096L, 10L * 1024 * 1024, TimeSpan.FromSeconds(10), 0, 50), (limits.MaxRequestLine, limits.MaxBodySize, limits.HeaderTimeout, limits.MinBodyRate, limits.Http2MaxStreams));
        Assert.Equal((32L * 1024, 100, TimeSpan.FromSeconds(130)), (limits.MaxHeaderSize, limits.MaxHeaders, limits.KeepAliveTimeout));
    }

    [Theory]
    [InlineData("http", "{ max-request-line: 0 }", "'max-request-line' must be more than 0")]
    [InlineData("http", "{ max-headers: 0 }", "'max-headers' must be")]
    [InlineData("http", "{ header-timeout: 0s }", "'header-timeout' must be longer than 0")]
    [InlineData("http", "{ max-body: 1MiB }", "unknown key 'max-body' in limits")]
    [InlineData("tcp", "{ max-headers: 10 }", "limits")]
    public void Mistakes_AreRefusedAtTheirPlace(string protocol, string limits, string error)
    {
        var result = Load(protocol, limits);
        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.ToString().StartsWith("f.yaml:", StringComparison.Ordinal) && e.Message.Contains(error, StringComparison.Ordinal));
    }
}
