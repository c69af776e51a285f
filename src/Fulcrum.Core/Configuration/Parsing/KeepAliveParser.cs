using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>A pool's `keepalive:`.</summary>
internal static class KeepAliveParser
{
    private static readonly MappingSchema<KeepAliveConfig> Schema = new MappingSchema<KeepAliveConfig>("keepalive")
        .Key("idle-timeout", (k, n, c) => YamlReader.Duration(n, "idle-timeout", c, allowZero: false) is { } d ? k with { IdleTimeout = d } : k)
        .Key("lifetime", (k, n, c) => YamlReader.Duration(n, "lifetime", c, allowZero: false) is { } d ? k with { Lifetime = d } : k)
        .Key("max-idle", (k, n, c) => YamlReader.Int(n, "max-idle", c, min: 0) is { } i ? k with { MaxIdle = i } : k);

    public static KeepAliveConfig Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new KeepAliveConfig { Location = context.At(node) }, context);
}
