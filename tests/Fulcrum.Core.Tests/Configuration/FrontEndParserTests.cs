using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

public sealed class FrontEndParserTests
{
    private static ConfigLoadResult Load(string listener) => ConfigLoader.LoadText($$"""
        listeners:
          - name: web
            bind: 127.0.0.1:8080
        {{listener}}
            routes: [ { pool: app } ]
        pools:
          - name: app
            backends: [ { address: 127.0.0.1:9001 } ]
        """, "f.yaml");

    [Fact]
    public void FrontEnd_IsReadFromTheListener()
    {
        var result = Load("    front-end: fulcrum");
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        Assert.Equal(HttpFrontEnd.Fulcrum, result.Config!.Listeners[0].FrontEnd);
    }

    [Fact]
    public void FrontEnd_IsNullWhenNotGiven() => Assert.Null(Load("").Config!.Listeners[0].FrontEnd);

    [Fact]
    public void FulcrumFrontEnd_WithH2c_IsAccepted()
    {
        var result = Load("    front-end: fulcrum\n    h2c: true");
        Assert.True(result.IsValid, string.Join("; ", result.Errors));
    }

    [Fact]
    public void FulcrumFrontEnd_OnHttpsOfferingH2_IsAccepted()
    {
        var result = Load("    protocol: https\n    front-end: fulcrum\n    tls: { certificates: [ { cert: a.pem, key: a.key } ] }");
        Assert.DoesNotContain(result.Errors, e => e.Message.Contains("front-end", StringComparison.Ordinal));
    }

    [Fact]
    public void FulcrumFrontEnd_OnHttpsWithHttp11Alpn_IsAccepted()
    {
        var result = Load("    protocol: https\n    front-end: fulcrum\n    tls: { alpn: [ http/1.1 ], certificates: [ { cert: a.pem, key: a.key } ] }");
        Assert.DoesNotContain(result.Errors, e => e.Message.Contains("front-end", StringComparison.Ordinal));
    }

    [Fact]
    public void UnknownFrontEnd_IsRefused() => Assert.NotEmpty(Load("    front-end: nginx").Errors);

    [Fact]
    public void FrontEnd_OnATcpListener_IsRefused()
    {
        var result = ConfigLoader.LoadText("""
            listeners:
              - name: db
                bind: 127.0.0.1:5432
                protocol: tcp
                pool: app
                front-end: fulcrum
            pools:
              - name: app
                backends: [ { address: 127.0.0.1:9001 } ]
            """, "f.yaml");
        Assert.Contains(result.Errors, e => e.ToString().StartsWith("f.yaml:6:5: 'front-end' is for http and https listeners", StringComparison.Ordinal));
    }
}
