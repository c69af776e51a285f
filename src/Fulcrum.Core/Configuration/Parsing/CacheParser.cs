using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>A route's `cache`: a mapping of its keys (`cache: {}` takes every default).</summary>
internal static class CacheParser
{
    /// <summary>The smallest `max-size`: below it not even one response head fits with its bookkeeping.</summary>
    public const long MinMaxSize = 64 * 1024;

    private static readonly MappingSchema<CacheConfig> Schema = new MappingSchema<CacheConfig>("cache")
        .Key("max-size", (c, n, x) => MaxSize(n, x) is { } s ? c with { MaxSize = s } : c)
        .Key("max-object-size", (c, n, x) => ObjectSize(n, x) is { } s ? c with { MaxObjectSize = s } : c)
        .Key("heuristic", (c, n, x) => YamlReader.Bool(n, "heuristic", x) is { } h ? c with { Heuristic = h } : c)
        .Key("lock-timeout", (c, n, x) => YamlReader.Duration(n, "lock-timeout", x) is { } t ? c with { LockTimeout = t } : c)
        .Key("name", (c, n, x) => Name(n, x) is { } name ? c with { Name = name } : c);

    public static CacheConfig? Read(YamlNode node, ParseContext context)
    {
        var cache = Schema.Read(node, new CacheConfig { Location = context.At(node) }, context);
        if (cache.MaxObjectSize is { } most && most > cache.MaxSize)
            context.Error(node, $"cache 'max-object-size' ({most} bytes) must not be more than 'max-size' ({cache.MaxSize} bytes)");
        return cache;
    }

    private static long? MaxSize(YamlNode node, ParseContext context)
    {
        if (YamlReader.Bytes(node, "max-size", context) is not { } bytes) return null;
        if (bytes >= MinMaxSize) return bytes;
        context.Error(node, "cache 'max-size' must be at least 64KiB");
        return null;
    }

    private static long? ObjectSize(YamlNode node, ParseContext context)
    {
        if (YamlReader.Bytes(node, "max-object-size", context) is not { } bytes) return null;
        if (bytes > 0) return bytes;
        context.Error(node, "cache 'max-object-size' must be more than 0");
        return null;
    }

    // RFC 9211 section 2: the cache's identifier is an sf-token or sf-string; a token keeps the header simple.
    private static string? Name(YamlNode node, ParseContext context)
    {
        if (YamlReader.String(node, "name", context) is not { } name) return null;
        if (name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '*') && name.All(static c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~:/".Contains(c))) return name;
        context.Error(node, $"cache 'name' must be a token (letters, digits and !#$%&'*+-.^_`|~:/, starting with a letter), not '{name}'");
        return null;
    }
}
