using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class RouteParser
{
    private static readonly string[] Actions = ["pool", "split", "redirect", "respond", "static"];

    internal static readonly NameTable<RequestPriority> Priorities = new(
        ("high", RequestPriority.High),
        ("normal", RequestPriority.Normal),
        ("low", RequestPriority.Low));

    private static readonly MappingSchema<RouteConfig> Schema = new MappingSchema<RouteConfig>("route")
        .Key("name", (r, n, c) => r with { Name = YamlReader.String(n, "name", c) })
        .Key("match", (r, n, c) => r with { Match = MatchParser.Read(n, c) })
        .Key("pool", (r, n, c) => r with { Pool = PoolReferenceReader.Read(n, "pool", c) })
        .Key("split", (r, n, c) => r with { Split = RouteActionParser.ReadSplit(n, c) })
        .Key("redirect", (r, n, c) => r with { Redirect = RouteActionParser.ReadRedirect(n, c) })
        .Key("respond", (r, n, c) => r with { Respond = RouteActionParser.ReadRespond(n, c) })
        .Key("static", (r, n, c) => r with { Static = StaticFilesParser.Read(n, c) })
        .Key("compress", (r, n, c) => r with { Compress = CompressParser.Read(n, c) })
        .Key("transforms", (r, n, c) => r with { Transforms = TransformsParser.Read(n, c) })
        .Key("filters", (r, n, c) => r with { Filters = FilterListParser.Read(n, c) })
        .Key("rate-limit", (r, n, c) => r with { RateLimits = RateLimitParser.Read(n, c) })
        .Key("auth", (r, n, c) => r with { Auth = AuthParser.Read(n, c) })
        .Key("allow", (r, n, c) => r with { Allow = [.. MatchParser.Cidrs(n, c, "allow")] })
        .Key("deny", (r, n, c) => r with { Deny = [.. MatchParser.Cidrs(n, c, "deny")] })
        .Key("waf", (r, n, c) => r with { Waf = WafParser.Read(n, c) })
        .Key("cache", (r, n, c) => r with { Cache = CacheParser.Read(n, c) })
        .Key("priority", (r, n, c) => YamlReader.Enum(n, "priority", c, Priorities) is { } p ? r with { Priority = p } : r);

    public static RouteConfig? Read(YamlNode node, int index, ParseContext context)
    {
        var route = Schema.Read(node, new RouteConfig { Location = context.At(node) }, context);
        if (node is not YamlMappingNode mapping) return route;

        var given = Actions.Where(a => YamlReader.FindKey(mapping, a) is not null).ToArray();
        if (given.Length == 0)
            context.Error(mapping, "route has no action; give one of 'pool', 'split', 'redirect', 'respond' or 'static'");
        else if (given.Length > 1)
            context.Error(YamlReader.FindKey(mapping, given[1])!, $"route has more than one action ('{string.Join("' and '", given)}'); give exactly one");
        CheckClaimKeys(route, context);
        // A cache stores what a backend answered; a redirect or a fixed answer has none to store.
        if (route.Cache is { } cache && route.Pool is null && route.Split.IsEmpty && given.Length == 1)
            context.Error(cache.Location, $"'cache' needs a route that goes to a 'pool' or a 'split', not a '{given[0]}'");
        TemplateChecks.CheckRoute(mapping, route, context);
        return route;
    }

    // A limit keyed by a claim counts the claim of the token this route verified; without `auth.jwt` there is none.
    private static void CheckClaimKeys(RouteConfig route, ParseContext context)
    {
        if (route.Auth?.Jwt is not null) return;
        foreach (var limit in route.RateLimits)
        {
            if (limit.Key == RateLimitKeySource.Jwt)
                context.Error(limit.Location, $"rate-limit key 'jwt:{limit.KeyName}' needs 'auth: {{ jwt: ... }}' on the same route, whose verified token has the claim");
        }
    }
}
