using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

/// <summary>Checks that need the whole file: names, pool references, binds, and pool keys against their listeners.</summary>
public sealed class ReferenceErrorTests
{
    private const string ProxyProtocolWhy =
        "the PROXY protocol is a header at the start of a backend TCP stream that carries one client: udp has no stream, " +
        "and http listeners share their backend connections among clients";

    [Fact]
    public void DuplicateListenerName_PointsAtTheSecond()
    {
        ConfigAssert.OneError("""
            listeners:
              - { name: web, bind: 127.0.0.1:0, routes: [ { pool: p } ] }
              - { name: web, bind: 127.0.0.1:0, routes: [ { pool: p } ] }
            pools: [ { name: p } ]
            """, 3, 13, "duplicate listener name 'web' (first at line 2)");
    }

    [Fact]
    public void DuplicatePoolName_PointsAtTheSecond()
    {
        ConfigAssert.OneError("""
            pools:
              - name: api
              - name: api
            """, 3, 11, "duplicate pool name 'api' (first at line 2)");
    }

    [Fact]
    public void DuplicateBackendId_InOnePool_IsAnError_ButNotAcrossPools()
    {
        ConfigAssert.OneError("""
            pools:
              - name: a
                backends:
                  - { address: 127.0.0.1:9001 }
                  - { name: two, address: 127.0.0.1:9001 }
                  - { address: 127.0.0.1:9001 }
              - name: b
                backends: [ { address: 127.0.0.1:9001 } ]
            """, 6, 9, "duplicate backend '127.0.0.1:9001' in pool 'a' (first at line 4); give each a distinct 'name'");
    }

    [Fact]
    public void RouteNamingAMissingPool_SuggestsTheNearest()
    {
        ConfigAssert.OneError("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                routes:
                  - pool: wbe
            pools: [ { name: web }, { name: api } ]
            """, 5, 15, "pool 'wbe' is not defined; did you mean 'web'?");
    }

    [Fact]
    public void SplitAndListenerAndSniNamingMissingPools_AreEachReported()
    {
        var errors = ConfigAssert.Errors("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                routes: [ { split: [ { pool: canary, weight: 1 } ] } ]
              - { name: db, bind: 127.0.0.1:0, protocol: tcp, pool: postgres }
              - { name: tls, bind: 127.0.0.1:0, protocol: tcp, sni: [ { server-name: "*", pool: x } ] }
            pools: [ { name: a }, { name: b } ]
            """);
        Assert.Equal([
            "fulcrum.yaml:4:34: pool 'canary' is not defined; defined pools: a, b",
            "fulcrum.yaml:5:57: pool 'postgres' is not defined; defined pools: a, b",
            "fulcrum.yaml:6:85: pool 'x' is not defined; defined pools: a, b",
        ], errors);
    }

    [Fact]
    public void PoolReference_WithNoPoolsAtAll_SaysToAddOne()
    {
        ConfigAssert.OneError("listeners: [ { name: db, bind: 127.0.0.1:0, protocol: tcp, pool: pg } ]", 1, 66,
            "pool 'pg' is not defined; add it under 'pools'");
    }

    [Fact]
    public void WildcardBind_ConflictsWithLoopbackOnTheSamePort_ForTcpAndHttp()
    {
        ConfigAssert.OneError("""
            listeners:
              - { name: web, bind: 0.0.0.0:8080, routes: [ { pool: p } ] }
              - { name: raw, bind: 127.0.0.1:8080, protocol: tcp, pool: p }
            pools: [ { name: p } ]
            """, 3, 24, "listener 'raw' cannot bind tcp 127.0.0.1:8080: listener 'web' already binds 0.0.0.0:8080 (line 2)");
    }

    [Fact]
    public void AdminBind_ConflictsWithAListener()
    {
        ConfigAssert.OneError("""
            admin: { bind: 127.0.0.1:9900 }
            listeners: [ { name: web, bind: 127.0.0.1:9900, routes: [ { pool: p } ] } ]
            pools: [ { name: p } ]
            """, 2, 33, "listener 'web' cannot bind tcp 127.0.0.1:9900: admin already binds 127.0.0.1:9900 (line 1)");
    }

    [Fact]
    public void UdpAndTcp_OnOnePort_DoNotConflict_NorDoPortZeroBinds_NorOtherAddresses()
    {
        ConfigAssert.Valid("""
            listeners:
              - { name: dns-udp, bind: 127.0.0.1:5353, protocol: udp, pool: p }
              - { name: dns-tcp, bind: 127.0.0.1:5353, protocol: tcp, pool: p }
              - { name: a, bind: 127.0.0.1:0, protocol: tcp, pool: p }
              - { name: b, bind: 127.0.0.1:0, protocol: tcp, pool: p }
              - { name: c, bind: 127.0.0.2:5353, protocol: tcp, pool: p }
              - { name: d, bind: "[::1]:5353", protocol: tcp, pool: p }
            pools: [ { name: p } ]
            """);
    }

    [Fact]
    public void Ipv6Wildcard_ConflictsWithIpv4OnTheSamePort()
    {
        ConfigAssert.OneError("""
            listeners:
              - { name: a, bind: "[::]:7000", protocol: udp, pool: p }
              - { name: b, bind: 10.0.0.1:7000, protocol: udp, pool: p }
            pools: [ { name: p } ]
            """, 3, 22, "listener 'b' cannot bind udp 10.0.0.1:7000: listener 'a' already binds [::]:7000 (line 2)");
    }

    [Fact]
    public void HttpOnlyPoolKeys_OnAPoolServingATcpListener_AreErrors()
    {
        var errors = ConfigAssert.Errors("""
            listeners: [ { name: db, bind: 127.0.0.1:0, protocol: tcp, pool: pg } ]
            pools:
              - name: pg
                algorithm: consistent-hash
                hash-key: header:X-User
                affinity: { mode: cookie }
            """);
        Assert.Equal([
            "fulcrum.yaml:5:15: 'hash-key: header:X-User' needs http or https listeners, but pool 'pg' serves tcp listener 'db'",
            "fulcrum.yaml:6:15: 'affinity: cookie' needs http or https listeners, but pool 'pg' serves tcp listener 'db'",
        ], errors);
    }

    [Fact]
    public void ProxyProtocol_OnAPoolServingAnHttpListener_IsAnError()
    {
        ConfigAssert.OneError("""
            listeners: [ { name: web, bind: 127.0.0.1:0, routes: [ { pool: p } ] } ]
            pools:
              - name: p
                proxy-protocol: v1
            """, 4, 21, "'proxy-protocol: v1' works only behind tcp listeners, but pool 'p' serves http listener 'web'; " + ProxyProtocolWhy);
    }

    [Fact]
    public void ProxyProtocol_OnAPoolServingAUdpListener_IsAnError_BecauseUdpHasNoStreamToPrefix()
    {
        ConfigAssert.OneError("""
            listeners:
              - { name: db, bind: 127.0.0.1:0, protocol: tcp, pool: p }
              - { name: dns, bind: 127.0.0.1:0, protocol: udp, pool: p }
            pools:
              - name: p
                proxy-protocol: v2
            """, 6, 21, "'proxy-protocol: v2' works only behind tcp listeners, but pool 'p' serves udp listener 'dns'; " + ProxyProtocolWhy);
    }

    [Fact]
    public void ProxyProtocol_OnAPoolServingOnlyTcpListeners_IsValid()
    {
        var config = ConfigAssert.Valid("""
            listeners:
              - { name: db, bind: 127.0.0.1:0, protocol: tcp, pool: p }
              - { name: tls, bind: 127.0.0.1:0, protocol: tcp, sni: [ { server-name: "*", pool: p } ] }
            pools:
              - name: p
                proxy-protocol: v2
            """);
        Assert.Equal(ProxyProtocolVersion.V2, config.Pools[0].ProxyProtocol);
    }
}
