using System.Net;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

public sealed class ConfigLoaderRoundTripTests
{
    internal const string Full = """
        admin:
          bind: 127.0.0.1:9900
          token: s3cret
        listeners:
          - name: web
            bind: 0.0.0.0:8080
            protocol: http
            forwarded-headers: false
            request-id: false
            routes:
              - name: api
                match:
                  host: [api.example.com, "*.API.example.com"]
                  path-prefix: /api/
                  method: [get, POST]
                  headers:
                    - { name: X-Env, equals: prod }
                    - { name: User-Agent, regex: "Mobile|Android" }
                  cookie: { name: beta }
                  query: { name: debug, contains: "1" }
                  client-cidr: [10.0.0.0/8, "::1", 192.168.1.7]
                pool: api
                transforms:
                  request-headers:
                    add: { X-From: fulcrum }
                    set: { Host: api.internal }
                    remove: [X-Debug]
                  response-headers:
                    remove: Server
                  strip-prefix: /api
                  add-prefix: /v2
                  security-headers: true
              - match: { path-regex: "^/img/.*\\.png$" }
                split:
                  - { pool: api, weight: 90 }
                  - { pool: api-next }
              - match: { path-prefix: /old }
                redirect: { to: "https://new.example.com/", status: 308 }
              - match: { host: example.com }
                redirect: { scheme: https, port: 8443 }
              - respond:
                  status: 404
                  body: nothing here
                  content-type: text/html
                  headers: { Cache-Control: no-store }
          - name: secure
            bind: "[::1]:8443"
            protocol: https
            tls:
              certificates:
                - { cert: /etc/certs/a.pem, key: certs/a.key }
            routes: [ { pool: api } ]
          - name: passthrough
            bind: 127.0.0.1:9443
            protocol: tcp
            sni:
              - { server-name: A.example.com, pool: db }
              - { server-name: "*", pool: db }
          - name: dns
            bind: 127.0.0.1:5353
            protocol: udp
            pool: dns
        pools:
          - name: api
            algorithm: consistent-hash
            hash-key: header:X-User-Id
            connect-timeout: 250ms
            request-timeout: 1m30s
            health:
              active: { path: /health, interval: 5s, timeout: 500ms, rise: 1, fall: 4, expect: 200-299 }
              passive: { consecutive-failures: 3, eject-for: 1m, max-ejected: 25% }
            affinity: { mode: cookie, cookie: SERVERID, ttl: 2h }
            drain-timeout: 10s
            slow-start: 20s
            backends:
              - { name: api-1, address: 127.0.0.1:9001, weight: 5 }
              - { address: "[::1]:9002", backup: true }
              - { address: api.internal:80 }
          - name: api-next
            backends: [ { address: 127.0.0.1:9101 } ]
          - name: db
            algorithm: least-connections
            proxy-protocol: v2
            backends: [ { address: 127.0.0.1:5432 } ]
          - name: dns
            backends: [ { address: 127.0.0.1:53 } ]
        """;

    [Fact]
    public void FullFile_LandsEveryValueInTheRecords()
    {
        var config = ConfigAssert.Valid(Full);

        Assert.Equal(ConfigAssert.File, config.SourcePath);
        Assert.Equal(new BindAddress(IPAddress.Loopback, 9900), config.Admin!.Bind);
        Assert.Equal("s3cret", config.Admin.Token);
        Assert.Equal(["web", "secure", "passthrough", "dns"], config.Listeners.Select(l => l.Name));

        var web = config.Listeners[0];
        Assert.Equal(new BindAddress(IPAddress.Any, 8080), web.Bind);
        Assert.Equal(ListenerProtocol.Http, web.Protocol);
        Assert.False(web.ForwardedHeaders);
        Assert.False(web.RequestId);
        Assert.Equal(5, web.Routes.Length);

        var api = web.Routes[0];
        Assert.Equal("api", api.Name);
        Assert.Equal("api", api.Pool);
        Assert.Equal(["api.example.com", "*.api.example.com"], api.Match.Hosts.ToArray());
        Assert.Equal("/api/", api.Match.PathPrefix);
        Assert.Equal(["GET", "POST"], api.Match.Methods.ToArray());
        Assert.Equal(2, api.Match.Headers.Length);
        Assert.Equal(("X-Env", "prod"), (api.Match.Headers[0].Name, api.Match.Headers[0].EqualTo));
        Assert.Equal("Mobile|Android", api.Match.Headers[1].Regex);
        Assert.True(api.Match.Cookies.Single() is { Name: "beta", Present: true });
        Assert.True(api.Match.Query.Single() is { Name: "debug", Contains: "1", Present: false });
        Assert.Equal(["10.0.0.0/8", "::1/128", "192.168.1.7/32"], api.Match.ClientCidrs.ToArray());
        Assert.Equal(new SourceLocation(ConfigAssert.File, 11, 9), api.Location);
        Assert.Equal(new SourceLocation(ConfigAssert.File, 13, 11), api.Match.Location);

        var t = api.Transforms;
        Assert.Equal([new("X-From", "fulcrum")], t.RequestHeaders.Add.ToArray());
        Assert.Equal([new("Host", "api.internal")], t.RequestHeaders.Set.ToArray());
        Assert.Equal(["X-Debug"], t.RequestHeaders.Remove.ToArray());
        Assert.Equal(["Server"], t.ResponseHeaders.Remove.ToArray());
        Assert.Equal(("/api", "/v2", true), (t.StripPrefix, t.AddPrefix, t.SecurityHeaders));

        Assert.Equal(@"^/img/.*\.png$", web.Routes[1].Match.PathRegex);
        Assert.Equal([("api", 90), ("api-next", 1)], web.Routes[1].Split.Select(s => (s.Pool, s.Weight)));
        Assert.Equal(new SourceLocation(ConfigAssert.File, 35, 13), web.Routes[1].Split[0].Location);
        Assert.True(web.Routes[2].Redirect is { To: "https://new.example.com/", Status: 308, Scheme: null });
        Assert.True(web.Routes[3].Redirect is { To: null, Scheme: "https", Port: 8443, Status: 302 });
        var respond = web.Routes[4].Respond!;
        Assert.Same(MatchConfig.Any, web.Routes[4].Match);
        Assert.Equal((404, "nothing here", "text/html"), (respond.Status, respond.Body, respond.ContentType));
        Assert.Equal("no-store", respond.Headers["cache-control"]);

        var secure = config.Listeners[1];
        Assert.Equal(new BindAddress(IPAddress.IPv6Loopback, 8443), secure.Bind);
        Assert.Equal("[::1]:8443", secure.Bind.ToString());
        var certificate = secure.Tls!.Certificates.Single();
        Assert.Equal(("/etc/certs/a.pem", "certs/a.key"), (certificate.Cert, certificate.Key));

        var passthrough = config.Listeners[2];
        Assert.Equal(ListenerProtocol.Tcp, passthrough.Protocol);
        Assert.Equal([("a.example.com", "db"), ("*", "db")], passthrough.Sni.Select(s => (s.ServerName, s.Pool)));
        Assert.Equal(ListenerProtocol.Udp, config.Listeners[3].Protocol);
        Assert.Equal("dns", config.Listeners[3].Pool);

        var pool = config.Pools[0];
        Assert.Equal(("api", "consistent-hash"), (pool.Name, pool.Algorithm));
        Assert.Equal(new HashKeyConfig(HashKeySource.Header, "X-User-Id"), pool.HashKey);
        Assert.Equal(TimeSpan.FromMilliseconds(250), pool.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(90), pool.RequestTimeout);
        Assert.Equal(new ActiveHealthConfig
        {
            Path = "/health", Interval = TimeSpan.FromSeconds(5), Timeout = TimeSpan.FromMilliseconds(500), Rise = 1, Fall = 4,
            Expect = new StatusCodeRange(200, 299), Location = pool.Health.Active!.Location,
        }, pool.Health.Active);
        Assert.Equal((3, TimeSpan.FromMinutes(1), 0.25),
            (pool.Health.Passive.ConsecutiveFailures, pool.Health.Passive.EjectFor, pool.Health.Passive.MaxEjected));
        Assert.True(pool.Affinity is { Mode: AffinityMode.Cookie, Cookie: "SERVERID" } a && a.Ttl == TimeSpan.FromHours(2));
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20)), (pool.DrainTimeout, pool.SlowStart));
        Assert.Equal(["api-1", "[::1]:9002", "api.internal:80"], pool.Backends.Select(b => b.Id));
        Assert.Equal([5, 1, 1], pool.Backends.Select(b => b.Weight));
        Assert.Equal([false, true, false], pool.Backends.Select(b => b.Backup));
        Assert.Equal(new SourceLocation(ConfigAssert.File, 76, 9), pool.Backends[0].Location);
        Assert.Equal(new SourceLocation(ConfigAssert.File, 64, 5), pool.Location);
        Assert.Equal(ProxyProtocolVersion.V2, config.Pools[2].ProxyProtocol);
    }

    [Fact]
    public void OmittedKeys_TakeTheirDocumentedDefaults()
    {
        var config = ConfigAssert.Valid("""
            listeners:
              - name: web
                bind: 127.0.0.1:0
                routes: [ { pool: p } ]
            pools:
              - name: p
                health: { active: {} }
                affinity: { mode: cookie }
                backends: [ { address: 127.0.0.1:9001 } ]
            """);

        Assert.Null(config.Admin);
        var web = config.Listeners.Single();
        Assert.Equal((ListenerProtocol.Http, true, true, 0), (web.Protocol, web.ForwardedHeaders, web.RequestId, web.Bind.Port));
        Assert.Null(web.Tls);
        Assert.Same(MatchConfig.Any, web.Routes[0].Match);
        Assert.Same(TransformsConfig.None, web.Routes[0].Transforms);

        var pool = config.Pools.Single();
        Assert.Equal(("round-robin", HashKeyConfig.SourceIp), (pool.Algorithm, pool.HashKey));
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(60)), (pool.ConnectTimeout, pool.RequestTimeout));
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.Zero, ProxyProtocolVersion.None), (pool.DrainTimeout, pool.SlowStart, pool.ProxyProtocol));
        var active = pool.Health.Active!;
        Assert.Equal((HealthCheckType.Http, "/", TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 2, 3, 0.1),
            (active.Type, active.Path, active.Interval, active.Timeout, active.Rise, active.Fall, active.Jitter));
        Assert.Equal(new StatusCodeRange(200, 399), active.Expect);
        Assert.Equal((5, TimeSpan.FromSeconds(30), 0.5, true),
            (pool.Health.Passive.ConsecutiveFailures, pool.Health.Passive.EjectFor, pool.Health.Passive.MaxEjected, pool.Health.Passive.Enabled));
        Assert.Equal(0.5, pool.Health.PanicThreshold);
        Assert.Equal((AffinityMode.Cookie, "FULCRUM_AFFINITY", null), (pool.Affinity!.Mode, pool.Affinity.Cookie, pool.Affinity.Ttl));
        Assert.Equal((2, 0, OverLimitAction.Queue, TimeSpan.FromSeconds(5)), (pool.ConnectRetries, pool.BackendMaxConnections, pool.OverLimit, pool.QueueTimeout));
        Assert.Same(RetryConfig.Default, pool.Retries);
        Assert.Null(pool.Tls);
        var backend = pool.Backends.Single();
        Assert.Equal((1, false, "127.0.0.1:9001"), (backend.Weight, backend.Backup, backend.Id));
    }

    [Fact]
    public void PoolWithoutHealth_HasNoActiveChecks_AndPassiveOn()
    {
        var pool = ConfigAssert.Valid("""
            listeners: [ { name: db, bind: 127.0.0.1:0, protocol: tcp, pool: p } ]
            pools: [ { name: p, health: { passive: { consecutive-failures: 0 } } } ]
            """).Pools.Single();

        Assert.Null(pool.Health.Active);
        Assert.False(pool.Health.Passive.Enabled);
        Assert.Same(HealthConfig.Default.Passive, ConfigAssert.Valid("pools: [ { name: q } ]").Pools[0].Health.Passive);
    }

    [Fact]
    public void LoadFile_ReadsTheFile_AndNamesItInErrors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"fulcrum-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "pools:\n  - name: p\n    wieght: 1\n");
        try
        {
            var result = ConfigLoader.LoadFile(path);
            Assert.Equal([$"{path}:3:5: unknown key 'wieght' in pool"], result.Errors.Select(e => e.ToString()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadFile_MissingFile_IsAnErrorValue()
    {
        var result = ConfigLoader.LoadFile("/nonexistent/fulcrum.yaml");
        Assert.False(result.IsValid);
        Assert.StartsWith("/nonexistent/fulcrum.yaml:0:0: cannot read file:", result.Errors.Single().ToString());
    }
}
