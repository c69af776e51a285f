using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>One item of a dns listener's `records:`.</summary>
internal static class DnsRecordParser
{
    public static readonly NameTable<DnsPolicy> Policies = new(
        ("all", DnsPolicy.All),
        ("weighted", DnsPolicy.Weighted),
        ("failover", DnsPolicy.Failover));

    private static readonly MappingSchema<DnsRecordConfig> Schema = new MappingSchema<DnsRecordConfig>("dns record")
        .Required("name", (r, n, c) => Name(n, "name", c) is { } name ? r with { Name = name } : r)
        .Required("pool", (r, n, c) => PoolReferenceReader.Read(n, "pool", c) is { } pool ? r with { Pool = pool } : r)
        .Key("ttl", (r, n, c) => Seconds(n, "ttl", c) is { } t ? r with { Ttl = t } : r)
        .Key("policy", (r, n, c) => YamlReader.Enum(n, "policy", c, Policies) is { } p ? r with { Policy = p } : r)
        .Key("answers", (r, n, c) => YamlReader.Int(n, "answers", c, min: 1, max: 64) is { } a ? r with { Answers = a } : r);

    public static DnsRecordConfig? Read(YamlNode node, int index, ParseContext context) =>
        Schema.Read(node, new DnsRecordConfig { Name = "", Pool = "", Location = context.At(node) }, context);

    public static string? Name(YamlNode node, string key, ParseContext context)
    {
        var text = YamlReader.String(node, key, context);
        if (text is null) return null;
        if (DnsNames.Normalize(text) is { } name) return name;
        context.Error(node, $"{key} '{text}' must be a domain name like www.example.com (labels of letters, digits and '-', no wildcards)");
        return null;
    }

    /// <summary>DNS TTLs are whole seconds (RFC 1035 3.2.1); one day at most keeps a mistake from living long in caches.</summary>
    public static TimeSpan? Seconds(YamlNode node, string key, ParseContext context)
    {
        var duration = YamlReader.Duration(node, key, context);
        if (duration is not { } d) return null;
        if (d.Ticks % TimeSpan.TicksPerSecond == 0 && d <= TimeSpan.FromDays(1)) return d;
        context.Error(node, $"'{key}' must be whole seconds from 0s to 1d (DNS TTLs count seconds), not {node}");
        return null;
    }
}
