using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>A tcp listener's `sni:` entries: TLS passthrough routed by the ClientHello's server name.</summary>
internal static class SniRouteParser
{
    private static readonly MappingSchema<SniRouteConfig> Schema = new MappingSchema<SniRouteConfig>("sni route")
        .Required("server-name", (s, n, c) => ServerName(n, c) is { } name ? s with { ServerName = name } : s)
        .Required("pool", (s, n, c) => PoolReferenceReader.Read(n, "pool", c) is { } p ? s with { Pool = p } : s);

    public static SniRouteConfig? Read(YamlNode node, int index, ParseContext context) =>
        Schema.Read(node, new SniRouteConfig { ServerName = "", Pool = "", Location = context.At(node) }, context);

    /// <summary>Names are compared case-insensitively (RFC 6066 section 3), so they are kept lower-case.</summary>
    private static string? ServerName(YamlNode node, ParseContext context)
    {
        var name = YamlReader.String(node, "server-name", context);
        if (name is null || name == "*") return name;
        var rest = name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name;
        if (rest.Length > 0 && !rest.Contains('*') && Uri.CheckHostName(rest) == UriHostNameType.Dns) return name.ToLowerInvariant();
        context.Error(node, $"server-name '{name}' must be a host name like a.example.com, *.example.com, or * for any");
        return null;
    }
}
