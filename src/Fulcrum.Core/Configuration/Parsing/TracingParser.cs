using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class TracingParser
{
    private static readonly MappingSchema<TracingConfig> Schema = new MappingSchema<TracingConfig>("tracing")
        .Key("enabled", (t, n, c) => YamlReader.Bool(n, "enabled", c) is { } b ? t with { Enabled = b } : t);

    public static TracingConfig Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new TracingConfig { Location = context.At(node) }, context);
}
