using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>An https listener's certificates and a tcp listener's SNI passthrough routes.</summary>
internal static class TlsParser
{
    private static readonly MappingSchema<TlsConfig> Schema = new MappingSchema<TlsConfig>("tls")
        .Required("certificates", (t, n, c) => t with { Certificates = YamlReader.List(n, "certificates", c, ReadCertificate) });

    private static readonly MappingSchema<CertificateConfig> CertificateSchema = new MappingSchema<CertificateConfig>("certificate")
        .Required("cert", (t, n, c) => FilePath(n, "cert", c) is { } p ? t with { Cert = p } : t)
        .Required("key", (t, n, c) => FilePath(n, "key", c) is { } p ? t with { Key = p } : t);

    private static readonly MappingSchema<SniRoute> SniSchema = new MappingSchema<SniRoute>("sni route")
        .Required("server-name", (s, n, c) => ServerName(n, c) is { } name ? s with { ServerName = name } : s)
        .Required("pool", (s, n, c) => PoolReferenceReader.Read(n, "pool", c) is { } p ? s with { Pool = p } : s);

    public static TlsConfig Read(YamlNode node, ParseContext context)
    {
        var tls = Schema.Read(node, new TlsConfig { Location = context.At(node) }, context);
        if (node is YamlMappingNode mapping && YamlReader.Find(mapping, "certificates") is YamlSequenceNode { Children.Count: 0 } empty)
            context.Error(empty, "'certificates' needs at least one { cert, key } pair");
        return tls;
    }

    public static SniRoute? ReadSniRoute(YamlNode node, int index, ParseContext context) =>
        SniSchema.Read(node, new SniRoute { ServerName = "", Pool = "", Location = context.At(node) }, context);

    private static CertificateConfig? ReadCertificate(YamlNode node, int index, ParseContext context) =>
        CertificateSchema.Read(node, new CertificateConfig { Cert = "", Key = "", Location = context.At(node) }, context);

    /// <summary>Relative paths are relative to the config file's folder, so a config and its certs can move together.</summary>
    private static string? FilePath(YamlNode node, string key, ParseContext context)
    {
        var path = YamlReader.String(node, key, context);
        if (path is null) return null;
        var folder = Path.GetDirectoryName(Path.GetFullPath(context.File)) ?? "";
        return Path.GetFullPath(path, folder);
    }

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
