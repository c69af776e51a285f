using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Fulcrum.Core.Geo;

namespace Fulcrum.Dns.Answers;

/// <summary>
/// What an authoritative server answers (RFC 1034 4.3.2, RFC 2308, RFC 8020), as a message for the library to encode:
/// - a name outside the zone: REFUSED, since this server neither knows it nor recurses;
/// - the apex: its SOA and NS (and a record's addresses when one is configured there);
/// - a configured name: A and AAAA from the usable sites of its pool; none usable of that family: NOERROR, no
///   answer, the SOA in authority (NODATA), which resolvers cache for the zone's negative TTL only;
/// - a name below the zone that nothing configures: NXDOMAIN with the SOA, or NODATA when names exist below it;
/// - not a standard query: NOTIMP; not exactly one question: FORMERR; EDNS above version 0: BADVERS (RFC 6891 6.1.3).
/// The client's place comes from EDNS Client Subnet when the resolver sends it (RFC 7871), else the resolver's address.
/// </summary>
internal static class DnsResponder
{
    /// <summary>The UDP payload size this server accepts and sends at most, the DNS Flag Day 2020 value (no IP fragments).</summary>
    public const ushort MaxUdpPayload = 1232;

    public static DnsMessageBase Respond(DnsMessageBase query, IPAddress peer, AuthoritativeZone zone, Random random)
    {
        if (query is not DnsMessage message)
        {
            // An UPDATE (RFC 2136): this zone is built from the config and the pools' health, not edited over the wire.
            return new DnsMessage { TransactionID = query.TransactionID, IsQuery = false, ReturnCode = ReturnCode.NotImplemented };
        }

        var response = message.CreateResponseInstance();
        response.IsRecursionAllowed = false;
        var ecs = ClientSubnet(message);
        if (message.EDnsOptions is { } queryOptions && response.EDnsOptions is { } options)
        {
            options.UdpPayloadSize = Math.Clamp(queryOptions.UdpPayloadSize, (ushort)512, MaxUdpPayload);
            if (queryOptions.Version != 0)
            {
                options.Version = 0;
                response.ReturnCode = ReturnCode.BadVersion;
                return response;
            }
        }

        if (message.OperationCode != OperationCode.Query)
        {
            response.ReturnCode = ReturnCode.NotImplemented;
            return response;
        }

        if (message.Questions.Count != 1)
        {
            response.ReturnCode = ReturnCode.FormatError;
            return response;
        }

        var question = message.Questions[0];
        var name = question.Name.ToString().TrimEnd('.').ToLowerInvariant();
        if (question.RecordClass is not (RecordClass.INet or RecordClass.Any) || !zone.Contains(name))
        {
            response.ReturnCode = ReturnCode.Refused;
            return response;
        }

        response.IsAuthoritiveAnswer = true;
        var type = question.RecordType;
        var isApex = name == zone.Apex;
        if (isApex && type is RecordType.Soa or RecordType.Any) response.AnswerRecords.Add(zone.Soa);
        if (isApex && type is RecordType.Ns or RecordType.Any) response.AnswerRecords.AddRange(zone.NameServers);

        if (zone.Names.TryGetValue(name, out var configured))
        {
            if (type is RecordType.A or RecordType.Aaaa or RecordType.Any)
            {
                var client = ecs is { SourceNetmask: > 0 } ? ecs.Address : peer;
                var where = configured.UsesGeo ? zone.Geo?.Find(client) : null;
                var ttl = AuthoritativeZone.Seconds(configured.Record.Ttl);
                if (type is RecordType.A or RecordType.Any)
                {
                    foreach (var address in SiteSelector.Select(configured.Sites, AddressFamily.InterNetwork, configured.Record, where, random))
                        response.AnswerRecords.Add(new ARecord(question.Name, ttl, address));
                }

                if (type is RecordType.Aaaa or RecordType.Any)
                {
                    foreach (var address in SiteSelector.Select(configured.Sites, AddressFamily.InterNetworkV6, configured.Record, where, random))
                        response.AnswerRecords.Add(new AaaaRecord(question.Name, ttl, address));
                }

                if (ecs is not null) response.EDnsOptions?.Options.Add(Scoped(ecs, configured.UsesGeo, where));
                ecs = null;
            }
        }
        else if (!isApex && !zone.IsEmptyNonTerminal(name))
        {
            response.ReturnCode = ReturnCode.NxDomain;
        }

        if (response.AnswerRecords.Count == 0) response.AuthorityRecords.Add(zone.NegativeSoa);
        // An answer that does not depend on the client still carries the option, scope 0: good for every client.
        if (ecs is not null) response.EDnsOptions?.Options.Add(Scoped(ecs, usesGeo: false, null));
        return response;
    }

    private static ClientSubnetOption? ClientSubnet(DnsMessage message)
    {
        if (message.EDnsOptions is not { } options) return null;
        foreach (var option in options.Options)
        {
            if (option is ClientSubnetOption ecs) return ecs;
        }

        return null;
    }

    /// <summary>
    /// The option echoed with the query's family, source prefix and address (RFC 7871 7.2.1) and a scope: 0 when the
    /// answer is the same for every client, else the prefix of the network the geo lookup placed the client by, so a
    /// resolver caches the answer for that whole network (or, for an unknown client, for its source prefix alone).
    /// </summary>
    private static ClientSubnetOption Scoped(ClientSubnetOption ecs, bool usesGeo, GeoLocation? where)
    {
        var scope = !usesGeo || ecs.SourceNetmask == 0 ? 0 : where is { } location ? location.PrefixLength : ecs.SourceNetmask;
        var max = ecs.Address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        return new ClientSubnetOption(ecs.SourceNetmask, (byte)Math.Clamp(scope, 0, max), ecs.Address);
    }
}
