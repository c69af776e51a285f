using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>A pool's `tls:`: re-encryption to its backends.</summary>
internal static class PoolTlsParser
{
    private static readonly MappingSchema<PoolTlsConfig> Schema = new MappingSchema<PoolTlsConfig>("pool tls")
        .Key("verify", (t, n, c) => YamlReader.Bool(n, "verify", c) is { } b ? t with { Verify = b } : t)
        .Key("ca", (t, n, c) => t with { Ca = YamlReader.String(n, "ca", c) })
        .Key("server-name", (t, n, c) => t with { ServerName = YamlReader.String(n, "server-name", c) })
        .Key("insecure-skip-verify", (t, n, c) => YamlReader.Bool(n, "insecure-skip-verify", c) is { } b ? t with { InsecureSkipVerify = b } : t);

    public static PoolTlsConfig Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new PoolTlsConfig { Location = context.At(node) }, context);
}
