using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>An http listener's `limits:`.</summary>
internal static class HttpLimitsParser
{
    private static readonly MappingSchema<HttpLimitsConfig> Schema = new MappingSchema<HttpLimitsConfig>("limits")
        .Key("max-request-line", (l, n, c) => Positive(n, "max-request-line", c) is { } s ? l with { MaxRequestLine = s } : l)
        .Key("max-header-size", (l, n, c) => Positive(n, "max-header-size", c) is { } s ? l with { MaxHeaderSize = s } : l)
        .Key("max-headers", (l, n, c) => YamlReader.Int(n, "max-headers", c, min: 1) is { } i ? l with { MaxHeaders = i } : l)
        .Key("max-body-size", (l, n, c) => YamlReader.Bytes(n, "max-body-size", c) is { } s ? l with { MaxBodySize = s } : l)
        .Key("header-timeout", (l, n, c) => YamlReader.Duration(n, "header-timeout", c, allowZero: false) is { } d ? l with { HeaderTimeout = d } : l)
        .Key("min-body-rate", (l, n, c) => YamlReader.Int(n, "min-body-rate", c, min: 0) is { } i ? l with { MinBodyRate = i } : l)
        .Key("keepalive-timeout", (l, n, c) => YamlReader.Duration(n, "keepalive-timeout", c, allowZero: false) is { } d ? l with { KeepAliveTimeout = d } : l)
        .Key("http2-max-streams", (l, n, c) => YamlReader.Int(n, "http2-max-streams", c, min: 1) is { } i ? l with { Http2MaxStreams = i } : l);

    public static HttpLimitsConfig Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new HttpLimitsConfig { Location = context.At(node) }, context);

    private static long? Positive(YamlNode node, string key, ParseContext context)
    {
        var bytes = YamlReader.Bytes(node, key, context);
        if (bytes is not 0) return bytes;
        context.Error(node, $"'{key}' must be more than 0");
        return null;
    }
}
