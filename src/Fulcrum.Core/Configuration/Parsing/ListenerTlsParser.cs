using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>
/// An https listener's `tls:`. Certificate paths are kept as written; the L7 plane resolves them against the config
/// file's folder and checks that they load (TlsConfigCheck), so this parser only checks the shape.
/// </summary>
internal static class ListenerTlsParser
{
    private static readonly NameTable<TlsVersion> Versions = new(
        ("1.2", TlsVersion.Tls12),
        ("1.3", TlsVersion.Tls13));

    private static readonly NameTable<ClientCertificateMode> ClientModes = new(
        ("required", ClientCertificateMode.Required),
        ("optional", ClientCertificateMode.Optional));

    // The ALPN protocol ids of RFC 7301's registry that an HTTP listener can speak.
    private static readonly string[] AlpnProtocols = ["h2", "http/1.1"];

    private static readonly MappingSchema<CertificateConfig> CertificateSchema = new MappingSchema<CertificateConfig>("certificate")
        .Required("cert", (t, n, c) => YamlReader.String(n, "cert", c) is { } p ? t with { Cert = p } : t)
        .Required("key", (t, n, c) => YamlReader.String(n, "key", c) is { } p ? t with { Key = p } : t)
        .Key("chain", (t, n, c) => t with { Chain = YamlReader.String(n, "chain", c) })
        .Key("default", (t, n, c) => YamlReader.Bool(n, "default", c) is { } b ? t with { Default = b } : t);

    private static readonly MappingSchema<HstsConfig> HstsSchema = new MappingSchema<HstsConfig>("hsts")
        .Key("max-age", (h, n, c) => YamlReader.Duration(n, "max-age", c) is { } d ? h with { MaxAge = d } : h)
        .Key("include-subdomains", (h, n, c) => YamlReader.Bool(n, "include-subdomains", c) is { } b ? h with { IncludeSubdomains = b } : h)
        .Key("preload", (h, n, c) => YamlReader.Bool(n, "preload", c) is { } b ? h with { Preload = b } : h);

    private static readonly MappingSchema<ClientCertificateConfig> ClientSchema = new MappingSchema<ClientCertificateConfig>("client-certificates")
        .Key("mode", (m, n, c) => YamlReader.Enum(n, "mode", c, ClientModes) is { } v ? m with { Mode = v } : m)
        .Required("ca", (m, n, c) => YamlReader.String(n, "ca", c) is { } s ? m with { Ca = s } : m)
        .Key("subject-header", (m, n, c) => YamlReader.String(n, "subject-header", c) is { } s ? m with { SubjectHeader = s } : m);

    private static readonly MappingSchema<ListenerTlsConfig> Schema = new MappingSchema<ListenerTlsConfig>("tls")
        .Required("certificates", (t, n, c) => t with { Certificates = Certificates(n, c) })
        .Key("min-version", (t, n, c) => YamlReader.Enum(n, "min-version", c, Versions) is { } v ? t with { MinVersion = v } : t)
        .Key("cipher-suites", (t, n, c) => t with { CipherSuites = [.. YamlReader.OneOrMany(n, "cipher-suites", c).Select(v => v.Value)] })
        .Key("alpn", (t, n, c) => t with { Alpn = Alpn(n, c) })
        .Key("hsts", (t, n, c) => t with { Hsts = Hsts(n, c) })
        .Key("client-certificates", (t, n, c) => t with { ClientCertificates = ClientSchema.Read(n, new ClientCertificateConfig { Ca = "", Location = c.At(n) }, c) });

    public static ListenerTlsConfig Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new ListenerTlsConfig { Location = context.At(node) }, context);

    private static ImmutableArray<CertificateConfig> Certificates(YamlNode node, ParseContext context)
    {
        var certificates = YamlReader.List(node, "certificates", context,
            (item, _, c) => CertificateSchema.Read(item, new CertificateConfig { Cert = "", Key = "", Location = c.At(item) }, c));
        if (node is YamlSequenceNode { Children.Count: 0 } or YamlScalarNode)
            context.Error(node, "'certificates' needs at least one { cert, key } pair");
        var defaults = certificates.Where(c => c.Default).ToArray();
        if (defaults.Length > 1)
            context.Error(defaults[1].Location, $"only one certificate may be the default (the first is at line {defaults[0].Location.Line})");
        return certificates;
    }

    private static ImmutableArray<string> Alpn(YamlNode node, ParseContext context)
    {
        var builder = ImmutableArray.CreateBuilder<string>();
        foreach (var (protocol, item) in YamlReader.OneOrMany(node, "alpn", context))
        {
            if (AlpnProtocols.Contains(protocol)) builder.Add(protocol);
            else context.Error(item, YamlReader.UnknownName("alpn protocol", protocol, AlpnProtocols));
        }

        return builder.ToImmutable();
    }

    /// <summary>`hsts: true` takes the defaults; a mapping sets them.</summary>
    private static HstsConfig? Hsts(YamlNode node, ParseContext context)
    {
        if (node is YamlMappingNode) return HstsSchema.Read(node, new HstsConfig { Location = context.At(node) }, context);
        return YamlReader.Bool(node, "hsts", context) == true ? new HstsConfig { Location = context.At(node) } : null;
    }
}
