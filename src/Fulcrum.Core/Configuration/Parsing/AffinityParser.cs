using System.Collections.Frozen;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class AffinityParser
{
    private static readonly FrozenDictionary<string, AffinityMode> Modes = new Dictionary<string, AffinityMode>
    {
        ["cookie"] = AffinityMode.Cookie,
        ["source-ip"] = AffinityMode.SourceIp,
        ["app-cookie"] = AffinityMode.AppCookie,
        ["header"] = AffinityMode.Header,
    }.ToFrozenDictionary();

    private static readonly MappingSchema<AffinityConfig> Schema = new MappingSchema<AffinityConfig>("affinity")
        .Key("mode", (a, n, c) => YamlReader.Enum(n, "mode", c, Modes) is { } m ? a with { Mode = m } : a)
        .Key("cookie", (a, n, c) => YamlReader.String(n, "cookie", c) is { } s ? a with { Cookie = s } : a)
        .Key("header", (a, n, c) => a with { Header = YamlReader.String(n, "header", c) })
        .Key("ttl", (a, n, c) => YamlReader.Duration(n, "ttl", c, allowZero: false) is { } d ? a with { Ttl = d } : a);

    public static string Name(AffinityMode mode) => Modes.First(m => m.Value == mode).Key;

    public static AffinityConfig Read(YamlNode node, ParseContext context)
    {
        var affinity = Schema.Read(node, new AffinityConfig { Location = context.At(node) }, context);
        if (node is not YamlMappingNode mapping) return affinity;

        var hasCookie = YamlReader.FindKey(mapping, "cookie") is not null;
        var headerKey = YamlReader.FindKey(mapping, "header");
        if (affinity.Mode == AffinityMode.Header && headerKey is null)
            context.Error(mapping, "affinity mode 'header' needs 'header', the request header whose value keeps the client on a backend");
        if (affinity.Mode != AffinityMode.Header && headerKey is not null)
            context.Error(headerKey, $"'header' is only for affinity mode 'header', not '{Name(affinity.Mode)}'");
        if (affinity.Mode == AffinityMode.AppCookie && !hasCookie)
            context.Error(mapping, "affinity mode 'app-cookie' needs 'cookie', the application's cookie to follow (e.g. JSESSIONID)");
        if (affinity.Mode is AffinityMode.SourceIp or AffinityMode.Header && YamlReader.FindKey(mapping, "cookie") is { } cookieKey)
            context.Error(cookieKey, $"'cookie' is only for affinity modes 'cookie' and 'app-cookie', not '{Name(affinity.Mode)}'");
        return affinity;
    }
}
