using System.Collections.Immutable;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>A route's `waf`: a mapping, or just its mode (`waf: block`).</summary>
internal static class WafParser
{
    /// <summary>The largest `body-limit`: the WAF holds the inspected body in memory before the backend sees any of it.</summary>
    public const long MaxBodyLimit = 1L << 30;

    public static readonly NameTable<WafMode> Modes = new(
        ("off", WafMode.Off),
        ("detect", WafMode.Detect),
        ("block", WafMode.Block));

    private static readonly NameTable<WafBodyOverLimit> OverLimits = new(
        ("reject", WafBodyOverLimit.Reject),
        ("inspect-partial", WafBodyOverLimit.InspectPartial));

    private static readonly MappingSchema<WafConfig> Schema = new MappingSchema<WafConfig>("waf")
        .Key("mode", (w, n, c) => YamlReader.Enum(n, "mode", c, Modes) is { } m ? w with { Mode = m } : w)
        .Key("paranoia", (w, n, c) => YamlReader.Int(n, "paranoia", c, min: 1, max: 4) is { } p ? w with { Paranoia = p } : w)
        .Key("anomaly-threshold", (w, n, c) => YamlReader.Int(n, "anomaly-threshold", c, min: 1, max: 10000) is { } t ? w with { AnomalyThreshold = t } : w)
        .Key("allowed-methods", (w, n, c) => Methods(n, c) is { } m ? w with { AllowedMethods = m } : w)
        .Key("exclude-rules", (w, n, c) => w with { ExcludeRules = Exclusions(n, c) })
        .Key("body-limit", (w, n, c) => BodyLimit(n, c) is { } b ? w with { BodyLimit = b } : w)
        .Key("body-over-limit", (w, n, c) => YamlReader.Enum(n, "body-over-limit", c, OverLimits) is { } o ? w with { OverLimit = o } : w)
        .Key("crs", (w, n, c) => YamlReader.String(n, "crs", c) is { } s ? w with { Crs = FromConfigFile(s, c) } : w)
        .Key("crs-setup", (w, n, c) => YamlReader.String(n, "crs-setup", c) is { } s ? w with { CrsSetup = FromConfigFile(s, c) } : w);

    public static WafConfig? Read(YamlNode node, ParseContext context)
    {
        var seed = new WafConfig { Location = context.At(node) };
        if (node is YamlScalarNode) return YamlReader.Enum(node, "waf mode", context, Modes) is { } mode ? seed with { Mode = mode } : null;
        return Schema.Read(node, seed, context);
    }

    // Relative paths are relative to the config file, as certificates' are; resolved here so the rule set's key is absolute.
    private static string FromConfigFile(string path, ParseContext context) =>
        Path.GetFullPath(path, Path.GetDirectoryName(Path.GetFullPath(context.File)) ?? Directory.GetCurrentDirectory());

    private static long? BodyLimit(YamlNode node, ParseContext context)
    {
        if (YamlReader.Bytes(node, "body-limit", context) is not { } bytes) return null;
        if (bytes is > 0 and <= MaxBodyLimit) return bytes;
        context.Error(node, "'body-limit' must be more than 0 and at most 1GiB");
        return null;
    }

    // HTTP method tokens (RFC 9110 section 9.1: case-sensitive; the CRS compares them as written).
    private static ImmutableArray<string>? Methods(YamlNode node, ParseContext context)
    {
        var methods = YamlReader.OneOrMany(node, "allowed-methods", context);
        var ok = !methods.IsEmpty;
        foreach (var (method, item) in methods)
        {
            if (method.Length > 0 && method.All(char.IsAsciiLetterUpper)) continue;
            context.Error(item, $"'allowed-methods' takes method names in capitals, like GET or PATCH, not '{method}'");
            ok = false;
        }

        return ok ? [.. methods.Select(static m => m.Value).Distinct()] : null;
    }

    // `[942100, 920350, 942000-942999]`: rule ids and inclusive ranges, as SecRuleRemoveById takes them.
    private static ImmutableArray<WafRuleRange> Exclusions(YamlNode node, ParseContext context)
    {
        var builder = ImmutableArray.CreateBuilder<WafRuleRange>();
        foreach (var (text, item) in YamlReader.OneOrMany(node, "exclude-rules", context))
        {
            var dash = text.IndexOf('-');
            var from = Id(dash > 0 ? text[..dash] : text);
            var to = dash > 0 ? Id(text[(dash + 1)..]) : from;
            if (from is { } f && to is { } t && f <= t) builder.Add(new WafRuleRange(f, t));
            else context.Error(item, $"'exclude-rules' takes rule ids (942100) or ranges of them (942100-942199), not '{text}'");
        }

        return builder.ToImmutable();
    }

    private static int? Id(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;
}
