using System.Net;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

/// <summary>`dns:`, `srv:` and `file:` backends and the pool's `discovery:` block.</summary>
public sealed class DiscoveryConfigTests
{
    private static PoolConfig Pool(string backends, string extra = "") => ConfigAssert.Valid($"""
        pools:
          - name: app
        {extra}    backends:
        {backends}
        """).Pools[0];

    [Fact]
    public void DiscoveryEntries_BecomeSources_AndOnlyTheRestAreBackends()
    {
        var pool = Pool("""
                  - { address: 10.0.0.1:80 }
                  - { address: dns:api.internal:8080, weight: 2 }
                  - { address: dns:api.internal }
                  - { address: srv:_http._tcp.api.internal, backup: true }
                  - { address: file:backends.txt }
            """);

        Assert.Equal(["10.0.0.1:80"], pool.Backends.Select(b => b.Address));
        Assert.Equal(["dns:api.internal:8080", "dns:api.internal:80", "srv:_http._tcp.api.internal", "file:backends.txt"], pool.Sources.Select(s => s.Text));
        Assert.Equal((DiscoveryKind.Dns, "api.internal", 8080, 2), (pool.Sources[0].Kind, pool.Sources[0].Target, pool.Sources[0].Port, pool.Sources[0].Weight));
        Assert.True(pool.Sources[2].Backup);
        Assert.Equal(DiscoveryConfig.Default with { Location = pool.Discovery.Location }, pool.Discovery);
    }

    [Fact]
    public void DnsWithoutAPort_TakesThePoolsSchemeDefault_443WhenItReencrypts()
    {
        var pool = Pool("      - { address: dns:api.internal }", "    tls: { verify: false }\n");

        Assert.Equal(443, pool.Sources[0].Port);
    }

    [Fact]
    public void DiscoveryBlock_LandsInTheRecord()
    {
        var pool = Pool("      - { address: dns:api.internal:80 }",
            "    discovery: { resolver: 127.0.0.1:5353, min-interval: 1s, max-interval: 30s, timeout: 500ms }\n");

        Assert.Equal((new IPEndPoint(IPAddress.Loopback, 5353), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(500)),
            (pool.Discovery.Resolver, pool.Discovery.MinInterval, pool.Discovery.MaxInterval, pool.Discovery.Timeout));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.2"), 53),
            Pool("      - { address: dns:a.b:80 }", "    discovery: { resolver: 10.0.0.2 }\n").Discovery.Resolver);
    }

    [Theory]
    [InlineData("{ address: dns:api.internal:99999 }", "'dns:api.internal:99999': the port after the name must be a number from 1 to 65535, like dns:api.internal:8080")]
    [InlineData("{ address: dns:not_a host }", "'dns:not_a host' must name a host, like dns:api.internal or dns:api.internal:8080")]
    [InlineData("{ address: srv:_http._tcp.api.internal:80 }", "'srv:_http._tcp.api.internal:80': SRV records carry their ports; write srv:NAME, like srv:_http._tcp.api.internal")]
    [InlineData("{ address: 'file:' }", "'file:' needs a path, like file:backends.txt (relative to the config file's folder)")]
    public void BadSources_AreErrorsAtTheirAddress(string entry, string message)
    {
        ConfigAssert.OneError($"""
            pools:
              - name: app
                backends:
                  - {entry}
            """, 4, entry.IndexOf("dns:", StringComparison.Ordinal) is var at and >= 0 ? 9 + at
                : entry.IndexOf("srv:", StringComparison.Ordinal) is var s and >= 0 ? 9 + s : 9 + entry.IndexOf("'file:'", StringComparison.Ordinal), message);
    }

    [Fact]
    public void NamedSource_AndIntervalsTheWrongWayRound_AndABadResolver_AreErrors()
    {
        var errors = ConfigAssert.Errors("""
            pools:
              - name: app
                discovery: { resolver: dns.example, min-interval: 10s, max-interval: 1s }
                backends:
                  - { address: dns:api.internal:80, name: api }
            """);

        Assert.Contains(errors, e => e.Contains("'resolver' must be an IP address with an optional port"));
        Assert.Contains(errors, e => e.Contains("'min-interval' (10s) is longer than 'max-interval' (1s)"));
        Assert.Contains(errors, e => e.Contains("a discovery source takes no 'name'"));
    }
}
