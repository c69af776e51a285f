using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>A pool's `adaptive-concurrency:`.</summary>
internal static class AdaptiveConcurrencyParser
{
    private static readonly MappingSchema<AdaptiveConcurrencyConfig> Schema = new MappingSchema<AdaptiveConcurrencyConfig>("adaptive-concurrency")
        .Key("interval", (a, n, c) => YamlReader.Duration(n, "interval", c, allowZero: false) is { } d ? a with { Interval = d } : a)
        .Key("percentile", (a, n, c) => Share(n, "percentile", c) is { } p ? a with { Percentile = p } : a)
        .Key("buffer", (a, n, c) => YamlReader.Percent(n, "buffer", c) is { } p ? a with { Buffer = p } : a)
        .Key("min-rtt-interval", (a, n, c) => YamlReader.Duration(n, "min-rtt-interval", c, allowZero: false) is { } d ? a with { MinRttInterval = d } : a)
        .Key("min-rtt-requests", (a, n, c) => YamlReader.Int(n, "min-rtt-requests", c, min: 1) is { } i ? a with { MinRttRequests = i } : a)
        .Key("min-rtt", (a, n, c) => YamlReader.Duration(n, "min-rtt", c, allowZero: false) is { } d ? a with { FixedMinRtt = d } : a)
        .Key("jitter", (a, n, c) => YamlReader.Percent(n, "jitter", c) is { } p ? a with { Jitter = p } : a)
        .Key("min-concurrency", (a, n, c) => YamlReader.Int(n, "min-concurrency", c, min: 1) is { } i ? a with { MinConcurrency = i } : a)
        .Key("max-limit", (a, n, c) => YamlReader.Int(n, "max-limit", c, min: 1) is { } i ? a with { MaxLimit = i } : a);

    public static AdaptiveConcurrencyConfig Read(YamlNode node, ParseContext context)
    {
        var config = Schema.Read(node, new AdaptiveConcurrencyConfig { Location = context.At(node) }, context);
        if (config.MinConcurrency > config.MaxLimit && node is YamlMappingNode mapping)
        {
            var at = YamlReader.Find(mapping, "min-concurrency") ?? YamlReader.Find(mapping, "max-limit") ?? node;
            context.Error(at, $"adaptive-concurrency 'min-concurrency' ({config.MinConcurrency}) is above 'max-limit' ({config.MaxLimit}); the limit must fit between them");
        }

        return config;
    }

    // 0% would take the fastest sample of each window, which hides the queueing the limit is there to see.
    private static double? Share(YamlNode node, string key, ParseContext context)
    {
        var share = YamlReader.Percent(node, key, context);
        if (share is not 0) return share;
        context.Error(node, $"'{key}' must be above 0%, like 50% or 90%");
        return null;
    }
}
