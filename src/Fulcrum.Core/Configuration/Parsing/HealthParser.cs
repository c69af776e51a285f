using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class HealthParser
{
    private static readonly MappingSchema<ActiveHealthConfig> ActiveSchema = new MappingSchema<ActiveHealthConfig>("active health check")
        .Key("path", (a, n, c) => a with { Path = MatchParser.Path(n, "path", c) })
        .Key("interval", (a, n, c) => YamlReader.Duration(n, "interval", c, allowZero: false) is { } d ? a with { Interval = d } : a)
        .Key("timeout", (a, n, c) => YamlReader.Duration(n, "timeout", c, allowZero: false) is { } d ? a with { Timeout = d } : a)
        .Key("rise", (a, n, c) => YamlReader.Int(n, "rise", c, min: 1) is { } i ? a with { Rise = i } : a)
        .Key("fall", (a, n, c) => YamlReader.Int(n, "fall", c, min: 1) is { } i ? a with { Fall = i } : a)
        .Key("expect", (a, n, c) => Expect(n, c) is { } e ? a with { Expect = e } : a);

    private static readonly MappingSchema<PassiveHealthConfig> PassiveSchema = new MappingSchema<PassiveHealthConfig>("passive health")
        .Key("consecutive-failures", (p, n, c) => YamlReader.Int(n, "consecutive-failures", c, min: 0) is { } i ? p with { ConsecutiveFailures = i } : p)
        .Key("eject-for", (p, n, c) => YamlReader.Duration(n, "eject-for", c, allowZero: false) is { } d ? p with { EjectFor = d } : p)
        .Key("max-ejected", (p, n, c) => Percent(n, "max-ejected", c) is { } i ? p with { MaxEjectedPercent = i } : p);

    private static readonly MappingSchema<HealthConfig> Schema = new MappingSchema<HealthConfig>("health")
        .Key("active", (h, n, c) => h with { Active = ActiveSchema.Read(n, new ActiveHealthConfig { Location = c.At(n) }, c) })
        .Key("passive", (h, n, c) => h with { Passive = PassiveSchema.Read(n, new PassiveHealthConfig { Location = c.At(n) }, c) });

    public static HealthConfig Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new HealthConfig { Location = context.At(node) }, context);

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

    /// <summary>`50%` or `50`.</summary>
    private static int? Percent(YamlNode node, string key, ParseContext context)
    {
        var text = YamlReader.String(node, key, context);
        if (text is null) return null;
        if (int.TryParse(text.TrimEnd('%'), NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v <= 100) return v;
        context.Error(node, $"'{key}' must be a percentage from 0% to 100%, not '{text}'");
        return null;
    }
}
