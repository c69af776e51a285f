using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class TransformsParser
{
    private static readonly MappingSchema<TransformsConfig> Schema = new MappingSchema<TransformsConfig>("transforms")
        .Key("request-headers", (t, n, c) => t with { RequestHeaders = ReadEdits(n, "request-headers", c) })
        .Key("response-headers", (t, n, c) => t with { ResponseHeaders = ReadEdits(n, "response-headers", c) })
        .Key("strip-prefix", (t, n, c) => t with { StripPrefix = MatchParser.Path(n, "strip-prefix", c) })
        .Key("add-prefix", (t, n, c) => t with { AddPrefix = MatchParser.Path(n, "add-prefix", c) })
        .Key("security-headers", (t, n, c) => YamlReader.Bool(n, "security-headers", c) is { } b ? t with { SecurityHeaders = b } : t);

    private static readonly MappingSchema<HeaderEdits> RequestEdits = EditsSchema("request-headers");
    private static readonly MappingSchema<HeaderEdits> ResponseEdits = EditsSchema("response-headers");

    public static TransformsConfig Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new TransformsConfig { Location = context.At(node) }, context);

    private static HeaderEdits ReadEdits(YamlNode node, string key, ParseContext context) =>
        (key == "request-headers" ? RequestEdits : ResponseEdits).Read(node, HeaderEdits.None, context);

    private static MappingSchema<HeaderEdits> EditsSchema(string what) => new MappingSchema<HeaderEdits>(what)
        .Key("add", (e, n, c) => e with { Add = YamlReader.StringMap(n, "add", c) })
        .Key("set", (e, n, c) => e with { Set = YamlReader.StringMap(n, "set", c) })
        .Key("remove", (e, n, c) => e with { Remove = [.. YamlReader.OneOrMany(n, "remove", c).Select(r => r.Value)] });
}
