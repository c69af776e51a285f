using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>The `cluster:` section.</summary>
internal static class ClusterParser
{
    private static readonly MappingSchema<ClusterConfig> Schema = new MappingSchema<ClusterConfig>("cluster")
        .Required("redis", (c, n, x) => Redis(n, x) is { } r ? c with { Redis = r } : c)
        .Key("instance", (c, n, x) => Instance(n, x) is { } i ? c with { Instance = i } : c)
        .Key("heartbeat", (c, n, x) => Positive(n, "heartbeat", x) is { } d ? c with { Heartbeat = d } : c)
        .Key("rate-limit-timeout", (c, n, x) => Positive(n, "rate-limit-timeout", x) is { } d ? c with { RateLimitTimeout = d } : c)
        .Key("share-ejections", (c, n, x) => YamlReader.Bool(n, "share-ejections", x) is { } b ? c with { ShareEjections = b } : c);

    public static ClusterConfig Read(YamlNode node, ParseContext context)
    {
        var cluster = Schema.Read(node, new ClusterConfig { Redis = "", Location = context.At(node) }, context);
        context.Facts.Cluster = cluster;
        return cluster;
    }

    private static string? Redis(YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "redis", context);
        if (text is null) return null;
        if (!string.IsNullOrWhiteSpace(text)) return text.Trim();
        context.Error(node, "cluster.redis must name a Redis server, like 127.0.0.1:6379 (a StackExchange.Redis configuration string)");
        return null;
    }

    // The name goes into Redis keys' values and the admin API: one word, so every member can be told apart.
    private static string? Instance(YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "instance", context);
        if (text is null) return null;
        if (text.Length is > 0 and <= 64 && !text.Any(static c => char.IsWhiteSpace(c) || char.IsControl(c))) return text;
        context.Error(node, $"cluster.instance must be one word of 1 to 64 characters without spaces, like lb-1, not '{text}'");
        return null;
    }

    private static TimeSpan? Positive(YamlNode node, string key, ParseContext context) => YamlReader.Duration(node, key, context, allowZero: false);
}
