using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class AffinityParser
{
    private const AffinityMode Cookie = AffinityMode.Cookie, AppCookie = AffinityMode.AppCookie, SourceIp = AffinityMode.SourceIp, Header = AffinityMode.Header;

    public static readonly NameTable<AffinityMode> Modes = new(
        ("cookie", Cookie),
        ("app-cookie", AppCookie),
        ("source-ip", SourceIp),
        ("header", Header));

    private static readonly NameTable<SameSiteMode> SameSites = new(
        ("lax", SameSiteMode.Lax),
        ("strict", SameSiteMode.Strict),
        ("none", SameSiteMode.None));

    private static readonly NameTable<AffinityUnavailablePolicy> Policies = new(
        ("rebalance", AffinityUnavailablePolicy.Rebalance),
        ("fail", AffinityUnavailablePolicy.Fail));

    private static readonly MappingSchema<AffinityConfig> SourceIpSchema = new MappingSchema<AffinityConfig>("source-ip")
        .Key("ipv4-prefix", (a, n, c) => YamlReader.Int(n, "ipv4-prefix", c, min: 1, max: 32) is { } i ? a with { Ipv4Prefix = i } : a)
        .Key("ipv6-prefix", (a, n, c) => YamlReader.Int(n, "ipv6-prefix", c, min: 1, max: 128) is { } i ? a with { Ipv6Prefix = i } : a);

    private static readonly MappingSchema<AffinityConfig> Schema = new MappingSchema<AffinityConfig>("affinity")
        .Required("mode", (a, n, c) => YamlReader.Enum(n, "mode", c, Modes) is { } m ? a with { Mode = m } : a)
        .Key("cookie", (a, n, c) => YamlReader.String(n, "cookie", c) is { } s ? a with { Cookie = s } : a)
        .Key("ttl", (a, n, c) => a with { Ttl = YamlReader.Duration(n, "ttl", c, allowZero: false) })
        .Key("path", (a, n, c) => MatchParser.Path(n, "path", c) is { } s ? a with { Path = s } : a)
        .Key("domain", (a, n, c) => a with { Domain = YamlReader.String(n, "domain", c) })
        .Key("http-only", (a, n, c) => YamlReader.Bool(n, "http-only", c) is { } b ? a with { HttpOnly = b } : a)
        .Key("secure", (a, n, c) => a with { Secure = Secure(n, c) })
        .Key("same-site", (a, n, c) => YamlReader.Enum(n, "same-site", c, SameSites) is { } s ? a with { SameSite = s } : a)
        .Key("secret", (a, n, c) => a with { Secret = YamlReader.String(n, "secret", c) })
        .Key("header", (a, n, c) => a with { Header = YamlReader.String(n, "header", c) })
        .Key("source-ip", (a, n, c) => SourceIpSchema.Read(n, a, c))
        .Key("on-unavailable", (a, n, c) => YamlReader.Enum(n, "on-unavailable", c, Policies) is { } p ? a with { OnUnavailable = p } : a);

    // Which keys mean something for which mode; a key for another mode is a mistake worth reporting.
    private static readonly (string Key, AffinityMode[] Modes)[] KeyModes =
    [
        ("cookie", [Cookie, AppCookie]),
        ("ttl", [Cookie]),
        ("path", [Cookie]),
        ("domain", [Cookie]),
        ("http-only", [Cookie]),
        ("secure", [Cookie]),
        ("same-site", [Cookie]),
        ("secret", [Cookie]),
        ("on-unavailable", [Cookie]),
        ("header", [Header]),
        ("source-ip", [SourceIp]),
    ];

    public static string Name(AffinityMode mode) => Modes.NameOf(mode);

    public static AffinityConfig Read(YamlNode node, ParseContext context)
    {
        var affinity = Schema.Read(node, new AffinityConfig { Mode = Cookie, Location = context.At(node) }, context);
        if (node is not YamlMappingNode mapping || YamlReader.Find(mapping, "mode") is null) return affinity;

        foreach (var (key, modes) in KeyModes)
        {
            if (YamlReader.FindKey(mapping, key) is not { } keyNode || modes.Contains(affinity.Mode)) continue;
            var suits = string.Join("' and '", modes.Select(Name));
            context.Error(keyNode, $"'{key}' is for affinity mode{(modes.Length > 1 ? "s" : "")} '{suits}', not '{Name(affinity.Mode)}'");
        }

        if (affinity.Mode == Header && YamlReader.FindKey(mapping, "header") is null)
            context.Error(mapping, "affinity mode 'header' needs 'header', the request header whose value keeps the client on a backend");
        if (affinity.Mode == AppCookie && YamlReader.FindKey(mapping, "cookie") is null)
            context.Error(mapping, "affinity mode 'app-cookie' needs 'cookie', the application's cookie to follow (e.g. JSESSIONID)");
        return affinity;
    }

    /// <summary>true, false, or auto (the default: Secure when the request came over https).</summary>
    private static bool? Secure(YamlNode node, ParseContext context) =>
        node is YamlScalarNode { Value: "auto" } ? null : YamlReader.Bool(node, "secure", context);
}
