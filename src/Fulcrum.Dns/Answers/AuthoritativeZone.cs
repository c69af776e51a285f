using System.Collections.Frozen;
using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Geo;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging;

namespace Fulcrum.Dns.Answers;

/// <summary>
/// One dns listener's zone for one topology generation: the apex, its SOA and NS records, and each configured name
/// with the sites of its pool. Built again on every reload, so answers follow the pools; the sites' health is read live
/// at each query through their <see cref="Backend"/>.
/// </summary>
internal sealed class AuthoritativeZone
{
    private AuthoritativeZone(string apex, SoaRecord soa, SoaRecord negativeSoa, NsRecord[] ns, FrozenDictionary<string, ZoneName> names, IGeoLookup? geo)
    {
        Apex = apex;
        Soa = soa;
        NegativeSoa = negativeSoa;
        NameServers = ns;
        Names = names;
        Geo = geo;
    }

    /// <summary>Lower case, without the final dot.</summary>
    public string Apex { get; }
    public SoaRecord Soa { get; }
    /// <summary>The SOA of negative answers: its TTL is the lesser of the SOA's and its MINIMUM (RFC 2308 3).</summary>
    public SoaRecord NegativeSoa { get; }
    public NsRecord[] NameServers { get; }
    public FrozenDictionary<string, ZoneName> Names { get; }
    public IGeoLookup? Geo { get; }

    public static AuthoritativeZone Build(ListenerConfig listener, Topology topology, TimeProvider time, ILogger logger)
    {
        var zone = listener.Zone ?? DnsZoneConfig.Default;
        var apex = zone.Name ?? "invalid";
        var apexName = DomainName.Parse(apex);
        var serial = zone.Serial != 0 ? zone.Serial : (uint)time.GetUtcNow().ToUnixTimeSeconds();
        var nameServers = zone.NameServers.IsEmpty ? [$"ns1.{apex}"] : zone.NameServers.ToArray();
        var hostmaster = DomainName.Parse(zone.Hostmaster ?? $"hostmaster.{apex}");
        var ttl = Seconds(zone.Ttl);
        var negative = Seconds(zone.NegativeTtl);
        // RFC 1912 2.2's usual refresh, retry and expire; there are no secondaries to read them, but the SOA must carry them.
        SoaRecord Soa(int recordTtl) => new(apexName, recordTtl, DomainName.Parse(nameServers[0]), hostmaster, serial, 3600, 600, 604800, negative);

        var names = new Dictionary<string, ZoneName>(StringComparer.Ordinal);
        foreach (var record in listener.Records)
        {
            names[record.Name] = Compile(listener, record, topology, logger);
        }

        return new AuthoritativeZone(apex, Soa(ttl), Soa(Math.Min(ttl, negative)),
            [.. nameServers.Select(n => new NsRecord(apexName, ttl, DomainName.Parse(n)))],
            names.ToFrozenDictionary(StringComparer.Ordinal), topology.Geo);
    }

    /// <summary>The name is the apex or below it.</summary>
    public bool Contains(string name) => name == Apex || name.EndsWith("." + Apex, StringComparison.Ordinal);

    /// <summary>A name with no record of its own but records below it: it exists, empty (RFC 8020).</summary>
    public bool IsEmptyNonTerminal(string name)
    {
        var suffix = "." + name;
        foreach (var key in Names.Keys)
        {
            if (key.EndsWith(suffix, StringComparison.Ordinal)) return true;
        }

        return false;
    }

    public static int Seconds(TimeSpan span) => (int)Math.Clamp(span.TotalSeconds, 0, int.MaxValue);

    private static ZoneName Compile(ListenerConfig listener, DnsRecordConfig record, Topology topology, ILogger logger)
    {
        if (!topology.Pools.TryGetValue(record.Pool, out var pool))
        {
            DnsLog.PoolMissing(logger, listener.Name, record.Name, record.Pool);
            return new ZoneName(record, [], false);
        }

        var geoById = new Dictionary<string, GeoMatchConfig>(StringComparer.Ordinal);
        foreach (var backend in pool.Config.Backends)
        {
            if (backend.Geo is { } geo) geoById[backend.Id] = geo;
        }

        var sites = new List<Site>(pool.Backends.Length);
        foreach (var backend in pool.Backends)
        {
            if (!IPAddress.TryParse(backend.Host.Trim('[', ']'), out var address))
            {
                DnsLog.SiteNotAnAddress(logger, listener.Name, backend.Id, pool.Name);
                continue;
            }

            var match = geoById.TryGetValue(backend.Id, out var config) ? new GeoMatch(config) : null;
            sites.Add(new Site(backend, address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, match, sites.Count));
        }

        return new ZoneName(record, [.. sites], sites.Any(static s => s.Geo is not null));
    }
}
