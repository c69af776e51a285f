using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

/// <summary>dns listeners (records, zone) and the `geo:` section: the contract's shape, the defaults, mistakes at their place.</summary>
public sealed class DnsAndGeoSectionTests
{
    private const string UnknownPolicy = "unknown policy 'random'; use one of all, weighted, failover";
    private const string Pool = "pools:\n  - name: sites\n    backends: [ { address: 127.0.0.2:80 } ]\n";

    [Fact]
    public void TheContractsShape_LoadsWithTheDocumentedDefaults()
    {
        var config = ConfigAssert.Valid("""
            geo:
              database: geo/GeoLite2-Country.mmdb
            listeners:
              - name: gslb
                bind: 127.0.0.1:5353
                protocol: dns
                records:
                  - { name: www.example.test, pool: sites, ttl: 10s }
            """ + "\n" + Pool);

        var listener = Assert.Single(config.Listeners);
        Assert.Equal(ListenerProtocol.Dns, listener.Protocol);
        var record = Assert.Single(listener.Records);
        Assert.Equal(("www.example.test", "sites", TimeSpan.FromSeconds(10), DnsPolicy.All, int.MaxValue),
            (record.Name, record.Pool, record.Ttl, record.Policy, record.AnswerLimit));
        var zone = listener.Zone!;
        Assert.Equal(("example.test", "hostmaster.example.test", 0u, TimeSpan.FromHours(1), TimeSpan.FromSeconds(30)),
            (zone.Name, zone.Hostmaster, zone.Serial, zone.Ttl, zone.NegativeTtl));
        Assert.Equal(["ns1.example.test"], zone.NameServers.ToArray());
        Assert.Equal("geo/GeoLite2-Country.mmdb", config.Geo!.Database);
    }

    [Fact]
    public void WeightedAndFailover_AnswerOneSiteUnlessTold()
    {
        var listener = ConfigAssert.Valid("""
            listeners:
              - name: gslb
                bind: 127.0.0.1:0
                protocol: dns
                zone: { name: Example.Test., ns: [ a.ns.example.net ], serial: 7, negative-ttl: 5s }
                records:
                  - { name: WWW.example.test., pool: sites, policy: weighted }
                  - { name: api.example.test, pool: sites, policy: failover, answers: 2 }
                  - { name: example.test, pool: sites }
            """ + "\n" + Pool).Listeners[0];

        Assert.Equal([("www.example.test", 1), ("api.example.test", 2), ("example.test", int.MaxValue)],
            listener.Records.Select(r => (r.Name, r.AnswerLimit)));
        Assert.Equal(("example.test", 7u, TimeSpan.FromSeconds(5)), (listener.Zone!.Name, listener.Zone.Serial, listener.Zone.NegativeTtl));
        Assert.Equal(["a.ns.example.net"], listener.Zone.NameServers.ToArray());
    }

    [Fact]
    public void GeoMatches_OnRoutesAndSites_AreKeptUpperCase()
    {
        var config = ConfigAssert.Valid("""
            geo:
              networks:
                - { cidr: 192.0.2.0/24, country: de, continent: eu }
            listeners:
              - name: web
                bind: 127.0.0.1:0
                routes:
                  - match: { geo: { country: [ de, FR ] } }
                    pool: sites
            pools:
              - name: sites
                backends: [ { address: 127.0.0.2:80, geo: { continent: [ EU, na ] } } ]
            """);

        Assert.Equal(["DE", "FR"], config.Listeners[0].Routes[0].Match.Geo!.Countries.ToArray());
        Assert.Equal(["EU", "NA"], config.Pools[0].Backends[0].Geo!.Continents.ToArray());
        Assert.Equal(("192.0.2.0/24", "DE", "EU"), (config.Geo!.Networks[0].Cidr, config.Geo.Networks[0].Country, config.Geo.Networks[0].Continent));
    }

    [Theory]
    [InlineData("listeners: [ { name: d, bind: 127.0.0.1:0, protocol: dns } ]\n", 1, 14, "dns listener 'd' needs 'records', e.g. records: [ { name: www.example.com, pool: sites } ]")]
    [InlineData("listeners: [ { name: d, bind: 127.0.0.1:0, protocol: dns, records: [ { name: 'www.ex ample.test', pool: sites } ] } ]\n", 1, 78,
        "name 'www.ex ample.test' must be a domain name like www.example.com (labels of letters, digits and '-', no wildcards)")]
    [InlineData("listeners: [ { name: d, bind: 127.0.0.1:0, protocol: dns, records: [ { name: a.b.test, pool: sites, ttl: 1500ms } ] } ]\n", 1, 106,
        "'ttl' must be whole seconds from 0s to 1d (DNS TTLs count seconds), not 1500ms")]
    [InlineData("listeners: [ { name: d, bind: 127.0.0.1:0, protocol: dns, zone: { name: example.test }, records: [ { name: www.other.test, pool: sites } ] } ]\n", 1, 100,
        "record 'www.other.test' is outside zone 'example.test' of dns listener 'd'")]
    [InlineData("listeners: [ { name: d, bind: 127.0.0.1:0, protocol: dns, records: [ { name: www.a.test, pool: sites, policy: random } ] } ]\n", 1, 111,
        UnknownPolicy)]
    [InlineData("listeners: [ { name: w, bind: 127.0.0.1:0, routes: [ { pool: sites } ], records: [ { name: a.b.test, pool: sites } ] } ]\n", 1, 73,
        "'records' is for dns listeners, not http listener 'w'; http listeners send traffic to pools with routes, tcp and udp listeners with 'pool'")]
    [InlineData("listeners: [ { name: w, bind: 127.0.0.1:0, routes: [ { match: { geo: { country: DE } }, pool: sites } ] } ]\n", 1, 70,
        "'geo' needs the top-level 'geo:' section to know where clients are: geo: { database: FILE.mmdb } or geo: { networks: [...] } (docs/gslb.md#geo)")]
    [InlineData("geo: { networks: [ { cidr: 10.0.0.0/8, country: DEU } ] }\n", 1, 49, "country 'DEU' must be a two-letter ISO 3166 country code like DE or US")]
    [InlineData("geo: { networks: [ { cidr: 10.0.0.0/33, country: DE } ] }\n", 1, 28, "cidr '10.0.0.0/33' must be a CIDR block like 192.0.2.0/24 or 2001:db8::/32 (no bits set after the prefix)")]
    [InlineData("geo: { }\n", 1, 6, "geo needs 'database' (a MaxMind DB file) or 'networks' (CIDR blocks with their country)")]
    public void Mistakes_AreNamedAtTheirPlace(string yaml, int line, int column, string message) =>
        ConfigAssert.OneError(yaml + Pool, line, column, message);

    [Fact]
    public void RecordsWithoutACommonDomain_AskForTheZone()
    {
        var errors = ConfigAssert.Errors("listeners: [ { name: d, bind: 127.0.0.1:0, protocol: dns, records: [ { name: www.a.test, pool: sites }, { name: www.b.org, pool: sites } ] } ]\n" + Pool);
        Assert.Equal(["fulcrum.yaml:1:59: the records of dns listener 'd' share no domain; say which zone they are in with zone: { name: example.com }"], errors);
    }

    [Fact]
    public void ADnsListener_TakesItsPort_ForUdpAndTcp()
    {
        var errors = ConfigAssert.Errors("""
            listeners:
              - { name: d, bind: 127.0.0.1:5353, protocol: dns, records: [ { name: www.a.test, pool: sites } ] }
              - { name: u, bind: 127.0.0.1:5353, protocol: udp, pool: sites }
              - { name: t, bind: 127.0.0.1:5353, protocol: tcp, pool: sites }
            """ + "\n" + Pool);
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Contains("already binds 127.0.0.1:5353 (line 2)", e, StringComparison.Ordinal));
    }
}
