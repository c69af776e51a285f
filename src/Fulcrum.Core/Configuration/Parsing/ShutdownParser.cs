using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class ShutdownParser
{
    private static readonly MappingSchema<ShutdownConfig> Schema = new MappingSchema<ShutdownConfig>("shutdown")
        .Key("accept-grace", (s, n, c) => YamlReader.Duration(n, "accept-grace", c) is { } d ? s with { AcceptGrace = d } : s);

    public static ShutdownConfig Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new ShutdownConfig { Location = context.At(node) }, context);
}
