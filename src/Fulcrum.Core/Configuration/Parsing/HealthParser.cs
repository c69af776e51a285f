using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class HealthParser
{
    private static readonly NameTable<HealthCheckType> Types = new(
        ("http", HealthCheckType.Http),
        ("tcp", HealthCheckType.Tcp),
        ("udp", HealthCheckType.Udp),
        ("grpc", HealthCheckType.Grpc));

    private const HealthCheckType Http = HealthCheckType.Http, Tcp = HealthCheckType.Tcp, Udp = HealthCheckType.Udp, Grpc = HealthCheckType.Grpc;

    // Keys that mean something only for some check types; on another type they are a mistake worth reporting.
    private static readonly (string Key, HealthCheckType[] Types)[] KeyTypes =
    [
        ("path", [Http]),
        ("host", [Http]),
        ("expect", [Http]),
        ("body", [Http, Udp]),
        ("send", [Udp]),
        ("service", [Grpc]),
    ];

    private static readonly MappingSchema<ActiveHealthConfig> ActiveSchema = new MappingSchema<ActiveHealthConfig>("active health check")
        .Key("type", (a, n, c) => YamlReader.Enum(n, "type", c, Types) is { } t ? a with { Type = t } : a)
        .Key("path", (a, n, c) => MatchParser.Path(n, "path", c) is { } p ? a with { Path = p } : a)
        .Key("host", (a, n, c) => a with { Host = YamlReader.String(n, "host", c) })
        .Key("expect", (a, n, c) => Expect(n, c) is { } e ? a with { Expect = e } : a)
        .Key("body", (a, n, c) => a with { Body = YamlReader.String(n, "body", c) })
        .Key("send", (a, n, c) => Send(n, c) is { } s ? a with { Send = s } : a)
        .Key("service", (a, n, c) => YamlReader.String(n, "service", c) is { } s ? a with { Service = s } : a)
        .Key("port", (a, n, c) => a with { Port = YamlReader.Int(n, "port", c, min: 1, max: 65535) })
        .Key("interval", (a, n, c) => YamlReader.Duration(n, "interval", c, allowZero: false) is { } d ? a with { Interval = d } : a)
        .Key("timeout", (a, n, c) => YamlReader.Duration(n, "timeout", c, allowZero: false) is { } d ? a with { Timeout = d } : a)
        .Key("rise", (a, n, c) => YamlReader.Int(n, "rise", c, min: 1) is { } i ? a with { Rise = i } : a)
        .Key("fall", (a, n, c) => YamlReader.Int(n, "fall", c, min: 1) is { } i ? a with { Fall = i } : a)
        .Key("jitter", (a, n, c) => YamlReader.Percent(n, "jitter", c) is { } p ? a with { Jitter = p } : a);

    private static readonly MappingSchema<PassiveHealthConfig> PassiveSchema = new MappingSchema<PassiveHealthConfig>("passive health check")
        .Key("consecutive-failures", (p, n, c) => YamlReader.Int(n, "consecutive-failures", c, min: 0) is { } i ? p with { ConsecutiveFailures = i } : p)
        .Key("eject-for", (p, n, c) => YamlReader.Duration(n, "eject-for", c, allowZero: false) is { } d ? p with { EjectFor = d } : p)
        .Key("max-eject-for", (p, n, c) => YamlReader.Duration(n, "max-eject-for", c, allowZero: false) is { } d ? p with { MaxEjectFor = d } : p)
        .Key("max-ejected", (p, n, c) => YamlReader.Percent(n, "max-ejected", c) is { } v ? p with { MaxEjected = v } : p)
        .Key("failure-rate", (p, n, c) => p with { FailureRate = YamlReader.Percent(n, "failure-rate", c) })
        .Key("failure-rate-window", (p, n, c) => YamlReader.Duration(n, "failure-rate-window", c, allowZero: false) is { } d ? p with { FailureRateWindow = d } : p)
        .Key("failure-rate-min-requests", (p, n, c) => YamlReader.Int(n, "failure-rate-min-requests", c, min: 1) is { } i ? p with { FailureRateMinRequests = i } : p);

    private static readonly MappingSchema<AgentCheckConfig> AgentSchema = new MappingSchema<AgentCheckConfig>("agent check")
        .Key("port", (a, n, c) => YamlReader.Int(n, "port", c, min: 1, max: 65535) is { } p ? a with { Port = p } : a)
        .Key("send", (a, n, c) => a with { Send = YamlReader.String(n, "send", c) })
        .Key("interval", (a, n, c) => YamlReader.Duration(n, "interval", c, allowZero: false) is { } d ? a with { Interval = d } : a)
        .Key("timeout", (a, n, c) => YamlReader.Duration(n, "timeout", c, allowZero: false) is { } d ? a with { Timeout = d } : a);

    private static readonly MappingSchema<HealthConfig> Schema = new MappingSchema<HealthConfig>("health")
        .Key("active", (h, n, c) => h with { Active = ReadActive(n, c) })
        .Key("passive", (h, n, c) => h with { Passive = PassiveSchema.Read(n, new PassiveHealthConfig { Location = c.At(n) }, c) })
        .Key("agent", (h, n, c) => h with { Agent = ReadAgent(n, c) })
        .Key("panic-threshold", (h, n, c) => YamlReader.Percent(n, "panic-threshold", c) is { } p ? h with { PanicThreshold = p } : h);

    public static HealthConfig Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new HealthConfig { Location = context.At(node) }, context);

    private static AgentCheckConfig? ReadAgent(YamlNode node, ParseContext context)
    {
        var agent = AgentSchema.Read(node, new AgentCheckConfig { Location = context.At(node) }, context);
        if (agent.Port != 0) return agent;
        context.Error(node, "an agent check needs the 'port' its agents answer on");
        return null;
    }

    private static ActiveHealthConfig ReadActive(YamlNode node, ParseContext context)
    {
        var active = ActiveSchema.Read(node, new ActiveHealthConfig { Location = context.At(node) }, context);
        if (node is not YamlMappingNode mapping) return active;
        foreach (var (key, types) in KeyTypes)
        {
            if (YamlReader.FindKey(mapping, key) is not { } keyNode || types.Contains(active.Type)) continue;
            var suits = string.Join(" and ", types.Select(Types.NameOf));
            context.Error(keyNode, $"'{key}' is for {suits} health checks, not type: {Types.NameOf(active.Type)}");
        }

        return active;
    }

    /// <summary>The udp probe's datagram: text, or hex digits after `hex:`.</summary>
    private static string? Send(YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "send", context);
        if (text is null || !text.StartsWith("hex:", StringComparison.Ordinal)) return text;
        var hex = text[4..];
        if (hex.Length > 0 && hex.Length % 2 == 0 && hex.All(char.IsAsciiHexDigit)) return text;
        context.Error(node, $"'send' after 'hex:' must be pairs of hex digits, like hex:0a1b, not '{hex}'");
        return null;
    }

    /// <summary>`200-399` or a single status like `204`.</summary>
    private static StatusCodeRange? Expect(YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "expect", context);
        if (text is null) return null;
        var dash = text.IndexOf('-');
        var (low, high) = dash < 0 ? (text, text) : (text[..dash], text[(dash + 1)..]);
        if (Status(low) is { } min && Status(high) is { } max && min <= max) return new StatusCodeRange(min, max);
        context.Error(node, $"'expect' must be a status like 200 or a range like 200-399, not '{text}'");
        return null;

        static int? Status(string s) =>
            int.TryParse(s.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v is >= 100 and <= 599 ? v : null;
    }
}
