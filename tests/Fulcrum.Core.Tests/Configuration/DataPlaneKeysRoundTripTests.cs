using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

/// <summary>The keys of the L4, TLS, health, retry and affinity records land in their fields.</summary>
public sealed class DataPlaneKeysRoundTripTests
{
    [Fact]
    public void TcpAndUdpListenerKeys_LandInTheRecord()
    {
        var config = ConfigAssert.Valid("""
            listeners:
              - name: db
                bind: 127.0.0.1:0
                protocol: tcp
                pool: p
                accept-proxy: true
                inspect-timeout: 2s
                max-connections: 100
                over-limit: refuse
                idle-timeout: 5m
                total-timeout: 1h
              - name: dns
                bind: 127.0.0.1:0
                protocol: udp
                pool: u
                session-timeout: 30s
                max-sessions: 500
                max-datagram-size: 1KiB
            pools:
              - name: p
                connect-retries: 0
                backend-max-connections: 50
                over-limit: refuse
                queue-timeout: 1s
                proxy-protocol: v1
              - name: u
            """);

        var db = config.Listeners[0];
        Assert.Equal((true, TimeSpan.FromSeconds(2), 100, OverLimitAction.Refuse, TimeSpan.FromMinutes(5), TimeSpan.FromHours(1)),
            (db.AcceptProxy, db.InspectTimeout, db.MaxConnections, db.OverLimit, db.IdleTimeout, db.TotalTimeout));
        var dns = config.Listeners[1];
        Assert.Equal((TimeSpan.FromSeconds(30), 500, 1024), (dns.SessionTimeout, dns.MaxSessions, dns.MaxDatagramSize));
        var pool = config.Pools[0];
        Assert.Equal((0, 50, OverLimitAction.Refuse, TimeSpan.FromSeconds(1), ProxyProtocolVersion.V1),
            (pool.ConnectRetries, pool.BackendMaxConnections, pool.OverLimit, pool.QueueTimeout, pool.ProxyProtocol));
    }

    [Fact]
    public void AcceptProxy_AndInspectTimeout_ApplyToHttpAndHttpsListenersToo_ButNotUdp()
    {
        var config = ConfigAssert.Valid("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                accept-proxy: true
                inspect-timeout: 2s
                routes: [ { pool: p } ]
            pools:
              - name: p
            """);
        Assert.Equal((true, TimeSpan.FromSeconds(2)), (config.Listeners[0].AcceptProxy, config.Listeners[0].InspectTimeout));

        ConfigAssert.OneError("""
            listeners:
              - name: dns
                bind: 127.0.0.1:0
                protocol: udp
                pool: p
                accept-proxy: true
            pools:
              - name: p
            """, 6, 5, "'accept-proxy' is for tcp and http and https listeners, not udp listener 'dns'");
    }

    [Fact]
    public void BareZeroPercentages_AndBareByteCounts_ParseAsDocumented()
    {
        var config = ConfigAssert.Valid("""
            listeners:
              - name: dns
                bind: 127.0.0.1:0
                protocol: udp
                pool: p
                max-datagram-size: 1232
                access-log: { sample: 0 }
            pools:
              - name: p
                health: { panic-threshold: 0, passive: { max-ejected: 0, failure-rate: 0 }, active: { jitter: 0 } }
                retries: { budget: 0 }
            """);

        var dns = config.Listeners[0];
        Assert.Equal((1232, 0.0), (dns.MaxDatagramSize, dns.AccessLog!.Sample));
        var pool = config.Pools[0];
        Assert.Equal((0.0, 0.0, 0.0, 0.0, 0.0),
            (pool.Health.PanicThreshold, pool.Health.Passive.MaxEjected, pool.Health.Passive.FailureRate!.Value, pool.Health.Active!.Jitter, pool.Retries.Budget));
    }

    [Fact]
    public void AccessLog_OnAUdpListener_LandsInTheRecord()
    {
        var dns = ConfigAssert.Valid("""
            listeners:
              - { name: dns, bind: 127.0.0.1:0, protocol: udp, pool: p, access-log: { format: "{client} {datagrams_in}", sample: 10% } }
            pools: [ { name: p } ]
            """).Listeners[0];

        Assert.Equal(("{client} {datagrams_in}", 0.1), (dns.AccessLog!.Format, dns.AccessLog.Sample));
    }

    [Fact]
    public void TlsKeys_LandInTheRecords()
    {
        var config = ConfigAssert.Valid("""
            listeners:
              - name: secure
                bind: 127.0.0.1:0
                protocol: https
                tls:
                  certificates:
                    - { cert: a.pem, key: a.key }
                    - { cert: b.pem, key: b.key, chain: b-chain.pem, default: true }
                  min-version: "1.3"
                  cipher-suites: [TLS_AES_128_GCM_SHA256]
                  alpn: [http/1.1]
                  hsts: { max-age: 30d, include-subdomains: true, preload: true }
                  client-certificates: { mode: optional, ca: ca.pem, subject-header: X-Subject }
                routes: [ { pool: p } ]
            pools:
              - name: p
                tls: { verify: false, ca: pool-ca.pem, server-name: api.internal, insecure-skip-verify: true }
                backends: [ { address: "api.internal:443" } ]
            """);

        var tls = config.Listeners[0].Tls!;
        Assert.Equal([("a.pem", "a.key", null, false), ("b.pem", "b.key", "b-chain.pem", true)],
            tls.Certificates.Select(c => (c.Cert, c.Key, c.Chain, c.Default)).ToArray());
        Assert.Equal(TlsVersion.Tls13, tls.MinVersion);
        Assert.Equal(["TLS_AES_128_GCM_SHA256"], tls.CipherSuites.ToArray());
        Assert.Equal(["http/1.1"], tls.Alpn.ToArray());
        Assert.True(tls.Hsts is { IncludeSubdomains: true, Preload: true } h && h.MaxAge == TimeSpan.FromDays(30));
        Assert.True(tls.ClientCertificates is { Mode: ClientCertificateMode.Optional, Ca: "ca.pem", SubjectHeader: "X-Subject" });
        Assert.True(config.Pools[0].Tls is { Verify: false, Ca: "pool-ca.pem", ServerName: "api.internal", InsecureSkipVerify: true });
        Assert.Equal("api.internal:443", config.Pools[0].Backends[0].Address);
    }

    [Fact]
    public void HstsTrue_TakesTheDefaults()
    {
        var tls = ConfigAssert.Valid("""
            listeners:
              - { name: s, bind: 127.0.0.1:0, protocol: https, tls: { certificates: [ { cert: a.pem, key: a.key } ], hsts: true }, routes: [ { respond: {} } ] }
            """).Listeners[0].Tls!;
        Assert.Equal(TimeSpan.FromDays(365), tls.Hsts!.MaxAge);
        Assert.Equal(["h2", "http/1.1"], tls.Alpn.ToArray());
    }

    [Fact]
    public void HealthRetryAndAffinityKeys_LandInTheRecords()
    {
        var pool = ConfigAssert.Valid("""
            pools:
              - name: p
                health:
                  active: { type: http, path: /ready, host: app.local, expect: 204, body: ok, port: 8081, jitter: 20% }
                  passive: { max-eject-for: 10m, failure-rate: 12.5%, failure-rate-window: 30s, failure-rate-min-requests: 50 }
                  panic-threshold: 0%
                retries: { attempts: 3, on: [connect-failure, 503], budget: 10%, min-retries: 1 }
                keepalive: { idle-timeout: 4s, lifetime: 1m, max-idle: 8 }
                affinity:
                  mode: cookie
                  cookie: SID
                  ttl: 1h
                  path: /app
                  domain: example.com
                  http-only: false
                  secure: auto
                  same-site: strict
                  secret: k
                  on-unavailable: fail
              - name: q
                affinity: { mode: source-ip, source-ip: { ipv4-prefix: 24, ipv6-prefix: 48 } }
                health: { active: { type: tcp, port: 5432 } }
            """).Pools;

        var active = pool[0].Health.Active!;
        Assert.Equal(("/ready", "app.local", new StatusCodeRange(204, 204), "ok", 8081, 0.2),
            (active.Path, active.Host, active.Expect, active.Body, active.Port, active.Jitter));
        Assert.Equal((TimeSpan.FromSeconds(4), TimeSpan.FromMinutes(1), 8), (pool[0].KeepAlive.IdleTimeout, pool[0].KeepAlive.Lifetime, pool[0].KeepAlive.MaxIdle));
        Assert.Equal(KeepAliveConfig.Default with { Location = pool[1].KeepAlive.Location }, pool[1].KeepAlive);
        var passive = pool[0].Health.Passive;
        Assert.Equal((TimeSpan.FromMinutes(10), 0.125, TimeSpan.FromSeconds(30), 50),
            (passive.MaxEjectFor, passive.FailureRate, passive.FailureRateWindow, passive.FailureRateMinRequests));
        Assert.Equal(0, pool[0].Health.PanicThreshold);
        var retries = pool[0].Retries;
        Assert.Equal((3, 0.1, 1), (retries.Attempts, retries.Budget, retries.MinRetries));
        Assert.Equal([RetryOn.ConnectFailure, RetryOn.Status503], retries.On.ToArray());
        var a = pool[0].Affinity!;
        Assert.Equal(("SID", TimeSpan.FromHours(1), "/app", "example.com", false, null, SameSiteMode.Strict, "k", AffinityUnavailablePolicy.Fail),
            (a.Cookie, a.Ttl, a.Path, a.Domain, a.HttpOnly, a.Secure, a.SameSite, a.Secret, a.OnUnavailable));
        Assert.True(pool[1].Affinity is { Mode: AffinityMode.SourceIp, Ipv4Prefix: 24, Ipv6Prefix: 48 });
        Assert.True(pool[1].Health.Active is { Type: HealthCheckType.Tcp, Port: 5432 });
    }

    [Fact]
    public void UdpHealthCheck_TakesSendAndBody_AndRejectsBadHex()
    {
        var active = ConfigAssert.Valid("pools: [ { name: dns, health: { active: { type: udp, send: hex:00ff, body: pong } } } ]").Pools[0].Health.Active!;
        Assert.Equal((HealthCheckType.Udp, "hex:00ff", "pong"), (active.Type, active.Send, active.Body));
        Assert.Equal("ping", ConfigAssert.Valid("pools: [ { name: dns, health: { active: { type: udp } } } ]").Pools[0].Health.Active!.Send);

        var errors = ConfigAssert.Errors("pools: [ { name: dns, health: { active: { type: udp, send: hex:0g, path: /x } } } ]");
        Assert.Equal([
            "fulcrum.yaml:1:60: 'send' after 'hex:' must be pairs of hex digits, like hex:0a1b, not '0g'",
            "fulcrum.yaml:1:68: 'path' is for http health checks, not type: udp",
        ], errors);
        ConfigAssert.OneError("pools: [ { name: web, health: { active: { send: hi } } } ]", 1, 43, "'send' is for udp health checks, not type: http");
    }

    [Fact]
    public void KeysForTheWrongListenerOrCheckKind_AreErrors()
    {
        var errors = ConfigAssert.Errors("""
            listeners:
              - { name: web, bind: 127.0.0.1:0, max-sessions: 5, routes: [ { pool: p } ] }
              - { name: db, bind: 127.0.0.1:0, protocol: udp, pool: p, idle-timeout: 1m }
            pools:
              - { name: p, health: { active: { type: tcp, path: /health } }, retries: { on: [500] } }
            """);
        Assert.Equal([
            "fulcrum.yaml:2:37: 'max-sessions' is for udp listeners, not http listener 'web'",
            "fulcrum.yaml:3:60: 'idle-timeout' is for tcp listeners, not udp listener 'db'",
            "fulcrum.yaml:5:47: 'path' is for http health checks, not type: tcp",
            "fulcrum.yaml:5:82: unknown retry condition '500'; did you mean '502'?",
        ], errors);
    }
}
