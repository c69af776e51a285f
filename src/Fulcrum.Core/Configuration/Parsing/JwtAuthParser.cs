using System.Collections.Immutable;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>`auth.jwt`: issuers, audiences, the JWKS, algorithms, clock skew, where the token is, claims required and forwarded.</summary>
internal static class JwtAuthParser
{
    private static readonly MappingSchema<JwtAuthConfig> Schema = new MappingSchema<JwtAuthConfig>("auth.jwt")
        .Required("issuer", (j, n, c) => j with { Issuers = Strings(n, "issuer", c) })
        .Key("audience", (j, n, c) => j with { Audiences = Strings(n, "audience", c) })
        .Required("jwks", Jwks)
        .Key("algorithms", Algorithms)
        .Key("clock-skew", (j, n, c) => YamlReader.Duration(n, "clock-skew", c) is { } d ? j with { ClockSkew = d } : j)
        .Key("jwks-refresh", (j, n, c) => AtLeastASecond(n, "jwks-refresh", c) is { } d ? j with { JwksRefresh = d } : j)
        .Key("jwks-timeout", (j, n, c) => YamlReader.Duration(n, "jwks-timeout", c, allowZero: false) is { } d ? j with { JwksTimeout = d } : j)
        .Key("token", Token)
        .Key("require", Require)
        .Key("forward-claims", (j, n, c) => j with { ForwardClaims = HeaderNames.Check(YamlReader.StringMap(n, "forward-claims", c), n, c) })
        .Key("forward-token", (j, n, c) => YamlReader.Bool(n, "forward-token", c) is { } b ? j with { ForwardToken = b } : j)
        .Key("realm", (j, n, c) => HeaderNames.QuotableOrNull(n, "realm", c) is { } r ? j with { Realm = r } : j);

    public static JwtAuthConfig? Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new JwtAuthConfig { Location = context.At(node) }, context);

    private static ImmutableArray<string> Strings(YamlNode node, string key, ParseContext context) =>
        [.. YamlReader.OneOrMany(node, key, context).Select(static v => v.Value)];

    private static JwtAuthConfig Jwks(JwtAuthConfig jwt, YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "jwks", context);
        if (string.IsNullOrEmpty(text))
        {
            if (text is not null) context.Error(node, "'jwks' must name a file or an http(s) URL");
            return jwt;
        }

        jwt = jwt with { Jwks = text, JwksLocation = context.At(node) };
        if (jwt.JwksIsUrl && !Uri.TryCreate(text, UriKind.Absolute, out _))
            context.Error(node, $"'jwks' '{text}' is not a valid URL");
        return jwt;
    }

    private static JwtAuthConfig Algorithms(JwtAuthConfig jwt, YamlNode node, ParseContext context)
    {
        var builder = ImmutableArray.CreateBuilder<string>();
        foreach (var (name, item) in YamlReader.OneOrMany(node, "algorithms", context))
        {
            if (JwtAuthConfig.KnownAlgorithms.Contains(name)) builder.Add(name);
            else if (name.Equals("none", StringComparison.OrdinalIgnoreCase))
                context.Error(item, "algorithm 'none' means an unsigned token, which anyone can forge; it is never accepted");
            else context.Error(item, YamlReader.UnknownName("algorithm", name, JwtAuthConfig.KnownAlgorithms));
        }

        return builder.Count > 0 ? jwt with { Algorithms = builder.ToImmutable() } : jwt;
    }

    private static JwtAuthConfig Token(JwtAuthConfig jwt, YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "token", context);
        if (text is null) return jwt;
        if (text == "bearer") return jwt with { Token = JwtTokenSource.Bearer, TokenName = null };
        var colon = text.IndexOf(':');
        var name = colon > 0 ? text[(colon + 1)..] : "";
        JwtTokenSource? source = colon > 0 ? text[..colon] switch
        {
            "header" => JwtTokenSource.Header,
            "cookie" => JwtTokenSource.Cookie,
            "query" => JwtTokenSource.Query,
            _ => null,
        } : null;
        if (source is { } s && name.Length > 0) return jwt with { Token = s, TokenName = name };
        context.Error(node, $"'token' must be bearer, header:NAME, cookie:NAME or query:NAME, not '{text}'");
        return jwt;
    }

    // `require: { scope: read, role: [admin, ops], email: "*" }`: "*" (or an empty value) asks only that the claim is there.
    private static JwtAuthConfig Require(JwtAuthConfig jwt, YamlNode node, ParseContext context)
    {
        if (node is not YamlMappingNode mapping)
        {
            context.Error(node, $"'require' must be a mapping of claims to values, like {{ scope: read }}, not {YamlReader.Describe(node)}");
            return jwt;
        }

        var builder = ImmutableArray.CreateBuilder<ClaimRequirement>(mapping.Children.Count);
        foreach (var (key, value) in mapping.Children)
        {
            if (YamlReader.String(key, "require", context) is not { Length: > 0 } claim) continue;
            var values = value is YamlScalarNode scalar && (YamlReader.IsNull(scalar) || scalar.Value == "*")
                ? []
                : Strings(value, claim, context);
            builder.Add(new ClaimRequirement(claim, values));
        }

        return jwt with { Require = builder.ToImmutable() };
    }

    private static TimeSpan? AtLeastASecond(YamlNode node, string key, ParseContext context)
    {
        var duration = YamlReader.Duration(node, key, context, allowZero: false);
        if (duration is null || duration >= TimeSpan.FromSeconds(1)) return duration;
        context.Error(node, $"'{key}' must be at least 1s");
        return null;
    }
}
