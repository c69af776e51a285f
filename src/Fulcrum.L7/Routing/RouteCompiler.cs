using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Actions;
using Fulcrum.L7.Forwarding;
using Fulcrum.L7.Transforms;

namespace Fulcrum.L7.Routing;

/// <summary>
/// Turns a listener's route configs into a <see cref="RouteTable"/>: regexes compiled, CIDRs parsed,
/// pools resolved to their forwarders, transforms built. Runs once per listener per topology generation.
/// A route that cannot be compiled is left out and reported; it never throws.
/// </summary>
internal static class RouteCompiler
{
    public static RouteTable Compile(ListenerConfig listener, long generation, FrozenDictionary<string, PoolForwarder> pools,
        BalancerServices services, List<ConfigError> errors)
    {
        var configs = listener.Routes;
        if (configs.IsEmpty && listener.Pool is { } pool)
        {
            // An http listener with only `pool:` sends everything there.
            configs = [new RouteConfig { Pool = pool, Location = listener.Location }];
        }

        var routes = new List<CompiledRoute>(configs.Length);
        for (var i = 0; i < configs.Length; i++)
        {
            var config = configs[i];
            var name = config.Name ?? $"{listener.Name}#{i + 1}";
            var conditions = CompileMatch(config.Match, errors);
            var action = CompileAction(config, pools, services, errors);
            if (conditions is null || action is null) continue;
            var transformer = new RouteTransformer(config.Transforms, listener.ForwardedHeaders, listener.RequestId);
            routes.Add(new CompiledRoute(name, conditions, action, transformer, config.Location));
        }

        return new RouteTable(generation, [.. routes], listener.RequestId);
    }

    private static IRequestMatcher[]? CompileMatch(MatchConfig match, List<ConfigError> errors)
    {
        var conditions = new List<IRequestMatcher>();
        var ok = true;
        if (!match.Hosts.IsEmpty) conditions.Add(new HostMatcher(match.Hosts));
        if (!string.IsNullOrEmpty(match.PathPrefix)) conditions.Add(new PathPrefixMatcher(match.PathPrefix));
        if (match.PathRegex is { } pattern)
        {
            if (RegexTest.TryCompile(pattern, out var regex, out var error)) conditions.Add(new PathRegexMatcher(regex!));
            else ok = Fail(errors, match.Location, error!);
        }

        if (!match.Methods.IsEmpty) conditions.Add(new MethodMatcher([.. match.Methods]));
        foreach (var header in match.Headers)
        {
            if (CompileTest(header, errors) is { } test) conditions.Add(new HeaderMatcher(header.Name, test));
            else ok = false;
        }

        foreach (var cookie in match.Cookies)
        {
            if (CompileTest(cookie, errors) is { } test) conditions.Add(new CookieMatcher(cookie.Name, test));
            else ok = false;
        }

        foreach (var query in match.Query)
        {
            if (CompileTest(query, errors) is { } test) conditions.Add(new QueryMatcher(query.Name, test));
            else ok = false;
        }

        if (!match.ClientCidrs.IsEmpty)
        {
            var networks = new List<IPNetwork>();
            foreach (var cidr in match.ClientCidrs)
            {
                if (IPNetwork.TryParse(cidr, out var network)) networks.Add(network);
                else ok = Fail(errors, match.Location, $"invalid client-cidr '{cidr}'");
            }

            conditions.Add(new ClientCidrMatcher([.. networks]));
        }

        return ok ? [.. conditions] : null;
    }

    private static ValueTest? CompileTest(ValueMatch match, List<ConfigError> errors)
    {
        if (match.Regex is { } pattern)
        {
            if (!RegexTest.TryCompile(pattern, out var regex, out var error))
            {
                Fail(errors, match.Location, error!);
                return null;
            }

            return new ValueTest(null, null, regex);
        }

        return new ValueTest(match.EqualTo, match.Contains, null);
    }

    private static RouteAction? CompileAction(RouteConfig config, FrozenDictionary<string, PoolForwarder> pools,
        BalancerServices services, List<ConfigError> errors)
    {
        if (config.Respond is { } respond) return new RespondAction(respond);
        if (config.Redirect is { } redirect) return new RedirectAction(redirect);
        if (!config.Split.IsEmpty) return CompileSplit(config.Split, pools, services, errors, config.Location);
        if (config.Pool is { } pool)
        {
            return pools.TryGetValue(pool, out var forwarder) ? new PoolAction(forwarder) : new UnknownPoolAction(pool);
        }

        Fail(errors, config.Location, "route has no action (pool, split, redirect or respond)");
        return null;
    }

    private static RouteAction? CompileSplit(ImmutableArray<SplitTarget> split, FrozenDictionary<string, PoolForwarder> pools,
        BalancerServices services, List<ConfigError> errors, SourceLocation location)
    {
        var targets = new PoolForwarder[split.Length];
        var weights = new int[split.Length];
        for (var i = 0; i < split.Length; i++)
        {
            if (!pools.TryGetValue(split[i].Pool, out var forwarder))
            {
                Fail(errors, split[i].Location, $"split names unknown pool '{split[i].Pool}'");
                return null;
            }

            targets[i] = forwarder;
            weights[i] = split[i].Weight;
        }

        return new SplitAction(targets, weights, services);
    }

    private static bool Fail(List<ConfigError> errors, SourceLocation location, string message)
    {
        errors.Add(new ConfigError(location, message));
        return false;
    }
}
