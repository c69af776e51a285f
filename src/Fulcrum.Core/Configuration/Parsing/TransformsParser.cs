using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class TransformsParser
{
    private static readonly MappingSchema<TransformsConfig> Schema = new MappingSchema<TransformsConfig>("transforms")
        .Key("request-headers", (t, n, c) => t with { RequestHeaders = ReadEdits(n, "request-headers", c) })
        .Key("response-headers", (t, n, c) => t with { ResponseHeaders = ReadEdits(n, "response-headers", c) })
        .Key("rewrite", (t, n, c) => t with { Rewrite = ReadRewrite(n, c) })
        .Key("strip-prefix", (t, n, c) => t with { StripPrefix = MatchParser.Path(n, "strip-prefix", c) })
        .Key("add-prefix", (t, n, c) => t with { AddPrefix = MatchParser.Path(n, "add-prefix", c) })
        .Key("security-headers", (t, n, c) => YamlReader.Bool(n, "security-headers", c) is { } b ? t with { SecurityHeaders = b } : t);

    private static readonly MappingSchema<HeaderEdits> RequestEdits = EditsSchema("request-headers");
    private static readonly MappingSchema<HeaderEdits> ResponseEdits = EditsSchema("response-headers");

    private static readonly MappingSchema<RewriteConfig> RewriteSchema = new MappingSchema<RewriteConfig>("rewrite")
        .Required("regex", (r, n, c) => RegexReader.Read(n, "regex", c) is { } p ? r with { Regex = p } : r)
        .Required("to", (r, n, c) => TemplateChecks.Read(n, "to", c) is { } t ? r with { To = t } : r);

    public static TransformsConfig Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new TransformsConfig { Location = context.At(node) }, context);

    // `rewrite: { regex: "^/u/([0-9]+)$", to: "/users/${1}" }`: `to` is a path, whose captures its own regex must have.
    private static RewriteConfig? ReadRewrite(YamlNode node, ParseContext context)
    {
        var rewrite = RewriteSchema.Read(node, new RewriteConfig { Location = context.At(node) }, context);
        if (node is not YamlMappingNode mapping || YamlReader.Find(mapping, "to") is not { } to) return rewrite;
        var text = rewrite.To.Text;
        if (!text.StartsWith('/') && !text.StartsWith("${", StringComparison.Ordinal))
            context.Error(to, $"rewrite 'to' must be a path starting with /, like /users/${{1}}, not '{text}'");
        TemplateChecks.CheckCaptures(to, rewrite.To, TemplateChecks.Compile(rewrite.Regex), "the rewrite's regex", context);
        return rewrite;
    }

    private static HeaderEdits ReadEdits(YamlNode node, string key, ParseContext context) =>
        (key == "request-headers" ? RequestEdits : ResponseEdits).Read(node, HeaderEdits.None, context);

    private static MappingSchema<HeaderEdits> EditsSchema(string what) => new MappingSchema<HeaderEdits>(what)
        .Key("add", (e, n, c) => e with { Add = YamlReader.StringMap(n, "add", c) })
        .Key("set", (e, n, c) => e with { Set = YamlReader.StringMap(n, "set", c) })
        .Key("remove", (e, n, c) => e with { Remove = [.. YamlReader.OneOrMany(n, "remove", c).Select(r => r.Value)] });
}
