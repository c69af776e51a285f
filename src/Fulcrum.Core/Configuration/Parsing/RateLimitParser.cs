using System.Collections.Immutable;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>A route's `rate-limit`: one mapping, or a list of them when several limits apply.</summary>
internal static class RateLimitParser
{
    private static readonly MappingSchema<RateLimitConfig> Schema = new MappingSchema<RateLimitConfig>("rate-limit")
        .Key("key", (r, n, c) => Key(r, n, c))
        .Required("rate", (r, n, c) => Rate(n, c) is { } rate ? r with { Rate = rate } : r)
        .Key("burst", (r, n, c) => YamlReader.Int(n, "burst", c, min: 0) is { } b ? r with { Burst = b } : r)
        .Key("nodelay", (r, n, c) => YamlReader.Bool(n, "nodelay", c) is { } b ? r with { NoDelay = b } : r)
        .Key("status", (r, n, c) => YamlReader.Int(n, "status", c, min: 400, max: 599) is { } s ? r with { Status = s } : r)
        .Key("headers", (r, n, c) => YamlReader.Bool(n, "headers", c) is { } b ? r with { Headers = b } : r)
        .Key("max-keys", (r, n, c) => YamlReader.Int(n, "max-keys", c, min: 1) is { } m ? r with { MaxKeys = m } : r)
        .Key("scope", Scope);

    public static ImmutableArray<RateLimitConfig> Read(YamlNode node, ParseContext context)
    {
        if (node is YamlSequenceNode) return YamlReader.List(node, "rate-limit", context, (item, _, c) => ReadOne(item, c));
        return ReadOne(node, context) is { } one ? [one] : [];
    }

    private static RateLimitConfig? ReadOne(YamlNode node, ParseContext context) =>
        Schema.Read(node, new RateLimitConfig { Location = context.At(node) }, context);

    private static RateLimitConfig Key(RateLimitConfig limit, YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "key", context);
        switch (text)
        {
            case null: return limit;
            case "client-ip": return limit with { Key = RateLimitKeySource.ClientIp, KeyName = null };
            case "route": return limit with { Key = RateLimitKeySource.Route, KeyName = null };
        }

        var colon = text.IndexOf(':');
        var kind = colon > 0 ? text[..colon] : text;
        var name = colon > 0 ? text[(colon + 1)..] : "";
        RateLimitKeySource? source = kind switch
        {
            "header" => RateLimitKeySource.Header,
            "cookie" => RateLimitKeySource.Cookie,
            "jwt" => RateLimitKeySource.Jwt,
            _ => null,
        };
        if (source is { } s && name.Length > 0) return limit with { Key = s, KeyName = name };

        context.Error(node, $"rate-limit key must be client-ip, header:NAME, cookie:NAME, jwt:CLAIM or route, not '{text}'");
        return limit;
    }

    // `100/s`, `600/m`, `1000/h`: requests per second, minute or hour, more than 0.
    private static double? Rate(YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "rate", context);
        if (text is null) return null;
        var slash = text.IndexOf('/');
        if (slash > 0 && double.TryParse(text.AsSpan(0, slash), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var count) && count > 0)
        {
            var per = text[(slash + 1)..] switch { "s" => 1.0, "m" => 60.0, "h" => 3600.0, _ => 0 };
            if (per > 0) return count / per;
        }

        context.Error(node, $"'rate' must be requests per second, minute or hour, like 100/s or 600/m, not '{text}'");
        return null;
    }

    private static RateLimitConfig Scope(RateLimitConfig limit, YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "scope", context);
        switch (text)
        {
            case null: return limit;
            case "local": return limit with { Scope = RateLimitScope.Local };
            case "cluster":
                context.Facts.ClusterScopes.Add(context.At(node));
                return limit with { Scope = RateLimitScope.Cluster };
        }

        context.Error(node, $"rate-limit scope must be local or cluster, not '{text}'");
        return limit;
    }
}
