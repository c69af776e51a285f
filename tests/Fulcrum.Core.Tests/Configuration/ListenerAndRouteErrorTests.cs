namespace Fulcrum.Core.Tests.Configuration;

public sealed class ListenerAndRouteErrorTests
{
    [Fact]
    public void RouteWithNoAction_IsAnError()
    {
        ConfigAssert.OneError("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                routes:
                  - match: { path-prefix: /api }
            """, 5, 9, "route has no action; give one of 'pool', 'split', 'redirect', 'respond' or 'static'");
    }

    [Fact]
    public void RouteWithTwoActions_PointsAtTheSecond()
    {
        ConfigAssert.OneError("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                routes:
                  - pool: p
                    respond: { status: 503 }
            pools: [ { name: p } ]
            """, 6, 9, "route has more than one action ('pool' and 'respond'); give exactly one");
    }

    [Fact]
    public void RoutesOnATcpListener_AreAnHttpOnlyKey()
    {
        ConfigAssert.OneError("""
            listeners:
              - name: db
                bind: 127.0.0.1:0
                protocol: tcp
                pool: p
                routes: [ { pool: p } ]
            pools: [ { name: p } ]
            """, 6, 5, "'routes' is for http and https listeners, not tcp listener 'db'; tcp and udp listeners name a 'pool'");
    }

    [Fact]
    public void PoolOnAnHttpListener_IsATcpOnlyKey()
    {
        ConfigAssert.OneError("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                pool: p
            pools: [ { name: p } ]
            """, 4, 5, "'pool' is for tcp and udp listeners, not http listener 'web'; http listeners send traffic to pools with routes, e.g. routes: [ { pool: web } ]");
    }

    [Fact]
    public void ForwardedHeadersOnAUdpListener_IsAnHttpOnlyKey()
    {
        ConfigAssert.OneError("listeners: [ { name: u, bind: 127.0.0.1:0, protocol: udp, pool: p, forwarded-headers: true } ]\npools: [ { name: p } ]", 1, 68,
            "'forwarded-headers' is for http and https listeners, not udp listener 'u'; tcp and udp carry no HTTP headers");
    }

    [Fact]
    public void TlsOnAnHttpListener_AndSniOnAnHttpsListener_AreErrors()
    {
        var errors = ConfigAssert.Errors("""
            listeners:
              - name: plain
                bind: 127.0.0.1:0
                tls: { certificates: [ { cert: a.pem, key: a.key } ] }
                routes: [ { pool: p } ]
              - name: secure
                bind: 127.0.0.1:0
                protocol: https
                tls: { certificates: [ { cert: a.pem, key: a.key } ] }
                sni: [ { server-name: a.example.com, pool: p } ]
                routes: [ { pool: p } ]
            pools: [ { name: p } ]
            """);
        Assert.Equal([
            "fulcrum.yaml:4:5: 'tls' is for https listeners, not http listener 'plain'; add protocol: https, or use 'sni' on a tcp listener for TLS passthrough",
            "fulcrum.yaml:10:5: 'sni' is for tcp listeners, not https listener 'secure'; https listeners route by host with routes",
        ], errors);
    }

    [Fact]
    public void ListenersWithoutATarget_SayWhatTheyNeed()
    {
        var errors = ConfigAssert.Errors("""
            listeners:
              - { name: web, bind: 127.0.0.1:0 }
              - { name: secure, bind: 127.0.0.1:0, protocol: https, routes: [ { respond: {} } ] }
              - { name: db, bind: 127.0.0.1:0, protocol: tcp }
              - { name: dns, bind: 127.0.0.1:0, protocol: udp }
            """);
        Assert.Equal([
            "fulcrum.yaml:2:5: http listener 'web' needs 'routes', e.g. routes: [ { pool: web } ]",
            "fulcrum.yaml:3:5: https listener 'secure' needs 'tls' with at least one certificate",
            "fulcrum.yaml:4:5: tcp listener 'db' needs 'pool' (or 'sni' to route TLS by server name)",
            "fulcrum.yaml:5:5: udp listener 'dns' needs 'pool'",
        ], errors);
    }

    [Fact]
    public void EmptyRoutesAndSniLists_AreErrors()
    {
        var errors = ConfigAssert.Errors("""
            listeners:
              - { name: web, bind: 127.0.0.1:0, routes: [] }
              - { name: tls, bind: 127.0.0.1:0, protocol: tcp, sni: [] }
            """);
        Assert.Equal([
            "fulcrum.yaml:2:45: 'routes' is empty; give at least one entry",
            "fulcrum.yaml:3:57: 'sni' is empty; give at least one entry",
        ], errors);
    }

    [Fact]
    public void TcpListenerWithPoolAndSni_IsAnError()
    {
        ConfigAssert.OneError("""
            listeners:
              - name: db
                bind: 127.0.0.1:0
                protocol: tcp
                pool: p
                sni: [ { server-name: "*", pool: p } ]
            pools: [ { name: p } ]
            """, 6, 5, "tcp listener 'db' has both 'pool' and 'sni'; give one");
    }

    [Fact]
    public void ValueMatchWithTwoTests_IsAnError()
    {
        ConfigAssert.OneError("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                routes:
                  - match: { header: { name: X-A, equals: a, contains: b } }
                    respond: {}
            """, 5, 50, "header match has more than one test ('equals' and 'contains'); give one of 'equals', 'contains', 'regex' or 'present'");
    }

    [Fact]
    public void BadMatchValues_AreEachReported()
    {
        var errors = ConfigAssert.Errors("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                routes:
                  - match: { host: "a.*.com", path-prefix: api, method: "GET POST", cookie: { name: c, present: false } }
                    respond: {}
            """);
        Assert.Equal([
            "fulcrum.yaml:5:24: host 'a.*.com' must be a host name like example.com or *.example.com",
            "fulcrum.yaml:5:48: 'path-prefix' must start with '/', like /api",
            "fulcrum.yaml:5:61: method 'GET POST' must be an HTTP method like GET or POST",
            "fulcrum.yaml:5:101: 'present' can only be true; to match a missing value, put a route without this condition after this one",
        ], errors);
    }

    [Fact]
    public void RedirectWithoutATarget_AndWithToAndScheme_AreErrors()
    {
        var errors = ConfigAssert.Errors("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                routes:
                  - redirect: { status: 301 }
                  - redirect: { to: "https://example.com/", scheme: https }
            """);
        Assert.Equal([
            "fulcrum.yaml:5:19: redirect needs 'to', or at least one of 'scheme', 'host' and 'port' to change",
            "fulcrum.yaml:6:49: redirect has both 'to' and 'scheme'; 'to' is the whole target, so give one or the other",
        ], errors);
    }

    [Fact]
    public void AffinityModes_NeedTheirNames()
    {
        var errors = ConfigAssert.Errors("""
            pools:
              - { name: a, affinity: { mode: header } }
              - { name: b, affinity: { mode: app-cookie } }
              - { name: c, affinity: { mode: source-ip, cookie: X } }
            """);
        Assert.Equal([
            "fulcrum.yaml:2:26: affinity mode 'header' needs 'header', the request header whose value keeps the client on a backend",
            "fulcrum.yaml:3:26: affinity mode 'app-cookie' needs 'cookie', the application's cookie to follow (e.g. JSESSIONID)",
            "fulcrum.yaml:4:45: 'cookie' is for affinity modes 'cookie' and 'app-cookie', not 'source-ip'",
        ], errors);
    }

    [Fact]
    public void TlsWithNoCertificates_AndABadServerName_AreErrors()
    {
        var errors = ConfigAssert.Errors("""
            listeners:
              - { name: s, bind: 127.0.0.1:0, protocol: https, tls: { certificates: [] }, routes: [ { respond: {} } ] }
              - { name: t, bind: 127.0.0.1:0, protocol: tcp, sni: [ { server-name: "a b", pool: p } ] }
            pools: [ { name: p } ]
            """);
        Assert.Equal([
            "fulcrum.yaml:2:73: 'certificates' needs at least one { cert, key } pair",
            "fulcrum.yaml:3:72: server-name 'a b' must be a host name like a.example.com, *.example.com, or * for any",
        ], errors);
    }
}
