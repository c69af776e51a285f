using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>A route's `static` action: a mapping, or just the folder (`static: ./public`).</summary>
internal static class StaticFilesParser
{
    private static readonly MappingSchema<StaticFilesConfig> Schema = new MappingSchema<StaticFilesConfig>("static")
        .Required("root", (s, n, c) => YamlReader.String(n, "root", c) is { } r ? s with { Root = Root(r, n, c) } : s)
        .Key("index", (s, n, c) => YamlReader.String(n, "index", c) is { } i ? s with { Index = Index(i, n, c) } : s)
        .Key("strip-prefix", (s, n, c) => s with { StripPrefix = MatchParser.Path(n, "strip-prefix", c) })
        .Key("precompressed", (s, n, c) => YamlReader.Bool(n, "precompressed", c) is { } b ? s with { Precompressed = b } : s)
        .Key("cache-control", (s, n, c) => YamlReader.String(n, "cache-control", c) is { } v ? s with { CacheControl = v } : s);

    public static StaticFilesConfig? Read(YamlNode node, ParseContext context)
    {
        var seed = new StaticFilesConfig { Location = context.At(node) };
        if (node is YamlScalarNode) return YamlReader.String(node, "static", context) is { } root ? seed with { Root = Root(root, node, context) } : null;
        return Schema.Read(node, seed, context);
    }

    // Relative to the config file, as certificates and rule sets are. Whether the folder is there is checked when the
    // route is built (`fulcrum validate` and every load), as certificate files are, not by the parser.
    private static string Root(string root, YamlNode node, ParseContext context)
    {
        if (root.Length == 0 || root.Contains('\0'))
        {
            context.Error(node, "static 'root' must name a folder");
            return "";
        }

        return Path.GetFullPath(root, Path.GetDirectoryName(Path.GetFullPath(context.File)) ?? Directory.GetCurrentDirectory());
    }

    // A file name, not a path: an index in another folder would be a way out of the root.
    private static string Index(string index, YamlNode node, ParseContext context)
    {
        if (index.Length == 0 || (index.IndexOfAny(['/', '\\', '\0']) < 0 && index is not "." and not "..")) return index;
        context.Error(node, $"static 'index' must be a file name like index.html, not '{index}'");
        return "";
    }
}
