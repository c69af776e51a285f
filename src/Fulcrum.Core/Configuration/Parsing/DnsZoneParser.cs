using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>
/// A dns listener's `zone:`, and the defaults filled in once the records are known: the apex is the longest domain
/// every record is below, the name server `ns1.` and the mailbox `hostmaster.` under it (RFC 2142).
/// </summary>
internal static class DnsZoneParser
{
    private static readonly MappingSchema<DnsZoneConfig> Schema = new MappingSchema<DnsZoneConfig>("zone")
        .Key("name", (z, n, c) => DnsRecordParser.Name(n, "name", c) is { } name ? z with { Name = name } : z)
        .Key("ns", (z, n, c) => z with { NameServers = NameServers(n, c) })
        .Key("hostmaster", (z, n, c) => DnsRecordParser.Name(n, "hostmaster", c) is { } name ? z with { Hostmaster = name } : z)
        .Key("serial", (z, n, c) => Serial(n, c) is { } s ? z with { Serial = s } : z)
        .Key("ttl", (z, n, c) => DnsRecordParser.Seconds(n, "ttl", c) is { } t ? z with { Ttl = t } : z)
        .Key("negative-ttl", (z, n, c) => DnsRecordParser.Seconds(n, "negative-ttl", c) is { } t ? z with { NegativeTtl = t } : z);

    public static DnsZoneConfig Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new DnsZoneConfig { Location = context.At(node) }, context);

    /// <summary>The zone with its defaults filled in, after checking every record is inside it and named once.</summary>
    public static DnsZoneConfig? Complete(ListenerConfig listener, YamlMappingNode mapping, ParseContext context)
    {
        var zone = listener.Zone ?? DnsZoneConfig.Default with { Location = listener.Location };
        var names = listener.Records.Where(r => r.Name.Length > 0).Select(r => r.Name).ToArray();
        var apex = zone.Name ?? DnsNames.CommonParent(names);
        if (apex is null)
        {
            if (names.Length > 0)
                context.Error(YamlReader.FindKey(mapping, "records") ?? mapping,
                    $"the records of dns listener '{listener.Name}' share no domain; say which zone they are in with zone: {{ name: example.com }}");
            return null;
        }

        var seen = new Dictionary<string, DnsRecordConfig>(StringComparer.Ordinal);
        foreach (var record in listener.Records)
        {
            if (record.Name.Length == 0) continue;
            if (!DnsNames.IsInZone(record.Name, apex))
                context.Error(record.Location, $"record '{record.Name}' is outside zone '{apex}' of dns listener '{listener.Name}'");
            else if (!seen.TryAdd(record.Name, record))
                context.Error(record.Location, $"record '{record.Name}' is given twice (first at line {seen[record.Name].Location.Line}); one record per name");
        }

        return zone with
        {
            Name = apex,
            NameServers = zone.NameServers.IsEmpty ? [$"ns1.{apex}"] : zone.NameServers,
            Hostmaster = zone.Hostmaster ?? $"hostmaster.{apex}",
        };
    }

    private static ImmutableArray<string> NameServers(YamlNode node, ParseContext context)
    {
        var builder = ImmutableArray.CreateBuilder<string>();
        foreach (var (text, item) in YamlReader.OneOrMany(node, "ns", context))
        {
            if (DnsNames.Normalize(text) is { } name) builder.Add(name);
            else context.Error(item, $"ns '{text}' must be a domain name like ns1.example.com");
        }

        return builder.ToImmutable();
    }

    private static uint? Serial(YamlNode node, ParseContext context)
    {
        if (node is YamlScalarNode { Value: { } text } && uint.TryParse(text, out var serial)) return serial;
        context.Error(node, $"'serial' must be a whole number from 0 to {uint.MaxValue} (0: the time the config was applied)");
        return null;
    }
}
