using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>A pool's `circuit-breaker:`.</summary>
internal static class CircuitBreakerParser
{
    private static readonly MappingSchema<CircuitBreakerConfig> Schema = new MappingSchema<CircuitBreakerConfig>("circuit-breaker")
        .Key("max-connections", (b, n, c) => YamlReader.Int(n, "max-connections", c, min: 1) is { } i ? b with { MaxConnections = i } : b)
        .Key("max-pending", (b, n, c) => YamlReader.Int(n, "max-pending", c, min: 0) is { } i ? b with { MaxPending = i } : b)
        .Key("max-requests", (b, n, c) => YamlReader.Int(n, "max-requests", c, min: 1) is { } i ? b with { MaxRequests = i } : b)
        .Key("max-retries", (b, n, c) => YamlReader.Int(n, "max-retries", c, min: 0) is { } i ? b with { MaxRetries = i } : b);

    public static CircuitBreakerConfig Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new CircuitBreakerConfig { Location = context.At(node) }, context);

    /// <summary>The keys that only an http pool can honour (a tcp connection is neither a request nor retried).</summary>
    public static IEnumerable<(string Key, string Value, YamlNode Node)> HttpOnlyKeys(YamlNode node)
    {
        if (node is not YamlMappingNode mapping) yield break;
        foreach (var key in new[] { "max-requests", "max-retries" })
        {
            if (YamlReader.FindKey(mapping, key) is { } found)
                yield return (key, (YamlReader.Find(mapping, key) as YamlScalarNode)?.Value ?? "...", found);
        }
    }
}
