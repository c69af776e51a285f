using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Geo;
using Fulcrum.Core.Observability;
using Fulcrum.L7.Caching;
using Fulcrum.L7.Filters;
using Fulcrum.L7.Forwarding;
using Fulcrum.L7.Tls;
using Fulcrum.L7.Waf;

namespace Fulcrum.L7.Routing;

/// <summary>
/// Turns a listener's route configs into a <see cref="RouteTable"/>: regexes compiled, CIDRs parsed, pools resolved
/// to their forwarders, and each route's filter chain built in stage order (<see cref="FilterStage"/>) from the
/// listener's settings, the route's transforms, its `filters:` and its action. Runs once per listener per topology
/// generation. A route that cannot be compiled is left out and reported; it never throws.
/// </summary>
internal static class RouteCompiler
{
    /// <summary>The settings that shape every route's chain besides the route's own config.</summary>
    /// <param name="tracing">`tracing.enabled`: the request to the backend carries the span's traceparent.</param>
    /// <param name="configDirectory">The config file's folder, where the files routes name (htpasswd, JWKS) are found.</param>
    /// <param name="geo">The topology's geo lookup, for `geo` matches; null without a `geo:` section.</param>
    public static RouteTable Compile(ListenerConfig listener, long generation, FrozenDictionary<string, PoolForwarder> pools,
        FilterServices filterServices, bool tracing, string configDirectory, List<ConfigError> errors, IGeoLookup? geo = null)
    {
        var services = filterServices.Services;
        var listenerFilters = ListenerFilters(listener, filterServices);
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
            var conditions = CompileMatch(config.Match, errors, geo, out var captures);
            var gates = new Gates(filterServices.Protection, listener.Name, name, config.Priority);
            if (!TryCompileAction(config, pools, services, gates, captures, errors, out var answer, out var target)) continue;
            var filters = RouteFilters(config, filterServices.Registry, captures, errors);
            if (AccessListFilter.Create(config.Allow, config.Deny, filterServices.Protection, listener.Name, name) is { } access)
                filters?.Add(new(FilterStage.AccessControl, access));
            for (var l = 0; l < config.RateLimits.Length; l++)
            {
                var limit = filterServices.RateLimits.For(listener.Name, name, l, config.RateLimits[l]);
                // Without a cluster (a `cluster:` section added by a reload takes hold at restart) a cluster limit counts here.
                var shared = limit.Config.Scope == RateLimitScope.Cluster && services.SharedRateLimits is { } sharedLimits
                    ? new SharedRateLimit(sharedLimits, SharedRateLimit.NameOf(listener.Name, name, l, limit.Config), limit.Config, services.Time)
                    : null;
                var counters = RateLimitFilter.CountersFor(filterServices.Protection, listener.Name, name, cluster: shared is not null);
                // A limit keyed by a claim counts after authentication verified the token that has it.
                var stage = config.RateLimits[l].Key == RateLimitKeySource.Jwt ? FilterStage.ClaimRateLimit : FilterStage.RateLimit;
                filters?.Add(new(stage, new RateLimitFilter(limit, filterServices.Time, counters, shared)));
            }

            if (config.Auth is { } auth && filters is not null
                && !Auth.AuthFilters.Add(filters, auth, new(listener.Name, name, configDirectory, generation), filterServices, errors)) filters = null;
            if (config.Waf is { Mode: not WafMode.Off } waf) filters?.Add(new(FilterStage.Waf, WafFilter.Create(waf, listener, name, filterServices, errors)));
            var cache = config.Cache is { } cacheConfig && target is not null
                ? new CacheFilter(filterServices.Caches.For(listener.Name, name, cacheConfig, generation), services.Time)
                : null;
            if (cache is not null) filters?.Add(new(FilterStage.Cache, cache));
            if (config.Compress is { } compress) filters?.Add(new(FilterStage.Compression, new Compression.CompressionFilter(compress)));

            if (conditions is null || filters is null) continue;
            var chain = new List<Staged>(listenerFilters);
            chain.AddRange(filters);
            if (answer is not null) chain.Add(new(FilterStage.Answer, answer));
            if (!AddRequestEdits(chain, listener, config.Transforms, tracing, captures, errors)) continue;
            if (UsesCookieAffinity(target)) chain.Add(new(FilterStage.Backend, AffinityCookieFilter.Instance));
            if (LoadHeaders(target) is { Count: > 0 } loadHeaders) chain.Add(new(FilterStage.Backend, new LoadReportFilter(loadHeaders, services.Time)));
            var built = Build(chain);
            cache?.Attach(built.After(cache), target); // the cache's own revalidations go through the filters below it
            routes.Add(new CompiledRoute(name, conditions, built, target, config.Location, filterServices.Routes.For(listener.Name, name)));
        }

        return new RouteTable(generation, [.. routes], NoRoute(listenerFilters), tracing, TrustedProxies.Parse(listener.TrustedProxies));
    }

    /// <summary>The route of requests no route matches: the listener's filters, then 404.</summary>
    public static CompiledRoute NoRoute(IEnumerable<Staged> listenerFilters) =>
        new("no-route", [], Build([.. listenerFilters, new(FilterStage.Answer, PlainTextAnswerFilter.NoRoute)]), null, SourceLocation.None);

    /// <summary>A filter and the stage it runs at.</summary>
    internal readonly record struct Staged(FilterStage Stage, IHttpFilter Filter);

    // Sorted by stage; within a stage the order they were added in (OrderBy is stable).
    private static FilterChain Build(List<Staged> filters) => new([.. filters.OrderBy(static f => f.Stage).Select(static f => f.Filter)]);

    // What the listener adds to every route, and to the 404 of no route.
    private static List<Staged> ListenerFilters(ListenerConfig listener, FilterServices filterServices)
    {
        var services = filterServices.Services;
        var filters = new List<Staged>();
        // Counted under the route `*`: one filter serves every route of the listener and its 404.
        if (AccessListFilter.Create(listener.Allow, listener.Deny, filterServices.Protection, listener.Name, "*") is { } access)
            filters.Add(new(FilterStage.AccessControl, access));
        if (listener.Protocol == ListenerProtocol.Https && listener.Tls is { } tls)
        {
            if (tls.Hsts is { } hsts) filters.Add(new(FilterStage.Connection, new HstsFilter(Hsts.HeaderValue(hsts))));
            if (tls.ClientCertificates?.SubjectHeader is { } subject) filters.Add(new(FilterStage.Connection, new ClientSubjectFilter(subject)));
        }

        if (listener.RequestId) filters.Add(new(FilterStage.RequestId, new RequestIdFilter(services.Random)));
        return filters;
    }

    // The route's transforms: response edits high in the chain (every answer gets them), request edits last before the backend.
    private static List<Staged>? RouteFilters(RouteConfig config, FilterRegistry registry, System.Text.RegularExpressions.Regex? captures, List<ConfigError> errors)
    {
        var filters = new List<Staged>();
        var transforms = config.Transforms;
        if (!transforms.ResponseHeaders.IsEmpty) filters.Add(new(FilterStage.ResponseEdits, HeaderEditsFilter.OnResponse(transforms.ResponseHeaders, captures)));
        if (transforms.SecurityHeaders) filters.Add(new(FilterStage.ResponseEdits, SecurityHeadersFilter.Instance));
        var ok = true;
        foreach (var entry in config.Filters)
        {
            var factory = registry.Find(entry, errors);
            var filter = factory?.Create(entry, errors);
            if (filter is null) ok = false;
            else filters.Add(new(factory!.Stage, filter));
        }

        return ok ? filters : null;
    }

    private static bool AddRequestEdits(List<Staged> chain, ListenerConfig listener, TransformsConfig transforms, bool tracing,
        System.Text.RegularExpressions.Regex? captures, List<ConfigError> errors)
    {
        if (tracing) chain.Add(new(FilterStage.RequestEdits, TraceContextFilter.Instance));
        chain.Add(new(FilterStage.RequestEdits, ForwardedHeadersFilter.For(listener.ForwardedHeaders, listener.XRealIp)));
        if (!transforms.RequestHeaders.IsEmpty) chain.Add(new(FilterStage.RequestEdits, HeaderEditsFilter.OnRequest(transforms.RequestHeaders, captures)));
        System.Text.RegularExpressions.Regex? regex = null;
        if (transforms.Rewrite is { } rewrite && !RegexTest.TryCompile(rewrite.Regex, out regex, out var error))
        {
            return Fail(errors, rewrite.Location, error!);
        }

        if (PathRewriteFilter.Create(transforms.StripPrefix, transforms.AddPrefix, regex, transforms.Rewrite?.To) is { } paths) chain.Add(new(FilterStage.RequestEdits, paths));
        return true;
    }

    // The pools of the target whose backends report their load in a header, with that header.
    private static FrozenDictionary<string, string>? LoadHeaders(IBackendTarget? target)
    {
        IEnumerable<PoolForwarder> pools = target switch
        {
            PoolForwarder pool => [pool],
            PoolSplit split => split.Pools,
            _ => [],
        };
        return pools.Where(static p => p.Pool.Config.LoadHeader is not null)
            .DistinctBy(static p => p.Pool.Name)
            .ToFrozenDictionary(static p => p.Pool.Name, static p => p.Pool.Config.LoadHeader!, StringComparer.Ordinal);
    }

    private static bool UsesCookieAffinity(IBackendTarget? target) => target switch
    {
        PoolForwarder pool => pool.Pool.Affinity?.Mode == AffinityMode.Cookie,
        PoolGate gate => gate.Forwarder.Pool.Affinity?.Mode == AffinityMode.Cookie,
        PoolSplit split => split.Pools.Any(static p => p.Pool.Affinity?.Mode == AffinityMode.Cookie),
        _ => false,
    };

    // `captures`: the path-regex, whose captures values with variables may name (`${1}`, `${name}`); null without one.
    private static IRequestMatcher[]? CompileMatch(MatchConfig match, List<ConfigError> errors, IGeoLookup? geo, out System.Text.RegularExpressions.Regex? captures)
    {
        var conditions = new List<IRequestMatcher>();
        var ok = true;
        captures = null;
        if (!match.Hosts.IsEmpty) conditions.Add(new HostMatcher(match.Hosts));
        if (!string.IsNullOrEmpty(match.PathPrefix)) conditions.Add(new PathPrefixMatcher(match.PathPrefix));
        if (match.PathRegex is { } pattern)
        {
            if (RegexTest.TryCompile(pattern, out var regex, out var error)) conditions.Add(new PathRegexMatcher(captures = regex!));
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

        if (match.Geo is { } where) conditions.Add(new GeoMatcher(geo, new GeoMatch(where)));

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

    // The action: a filter that always answers (redirect, respond, a pool the config lacks), or a backend target.
    private static bool TryCompileAction(RouteConfig config, FrozenDictionary<string, PoolForwarder> pools,
        BalancerServices services, Gates gates, System.Text.RegularExpressions.Regex? captures, List<ConfigError> errors,
        out IHttpFilter? answer, out IBackendTarget? target)
    {
        answer = null;
        target = null;
        if (config.Respond is { } respond) answer = new RespondFilter(respond);
        else if (config.Redirect is { } redirect) answer = new RedirectFilter(redirect, captures);
        else if (config.Static is { } files)
        {
            // Checked here, where certificates are too, so `fulcrum validate` and a reload both report a folder that is not there.
            if (Directory.Exists(files.Root)) answer = new StaticFiles.StaticFilesFilter(files);
            else Fail(errors, files.Location, $"static 'root' {files.Root} is not a folder");
        }
        else if (!config.Split.IsEmpty) target = CompileSplit(config.Split, pools, services, gates, errors);
        else if (config.Pool is { } pool)
        {
            if (pools.TryGetValue(pool, out var forwarder)) target = gates.For(forwarder);
            else answer = PlainTextAnswerFilter.UnknownPool(pool);
        }
        else Fail(errors, config.Location, "route has no action (pool, split, redirect, respond or static)");

        return answer is not null || target is not null;
    }

    private static PoolSplit? CompileSplit(ImmutableArray<SplitTarget> split, FrozenDictionary<string, PoolForwarder> pools,
        BalancerServices services, Gates gates, List<ConfigError> errors)
    {
        var forwarders = new PoolForwarder[split.Length];
        var targets = new IBackendTarget[split.Length];
        var weights = new int[split.Length];
        for (var i = 0; i < split.Length; i++)
        {
            if (!pools.TryGetValue(split[i].Pool, out var forwarder))
            {
                Fail(errors, split[i].Location, $"split names unknown pool '{split[i].Pool}'");
                return null;
            }

            forwarders[i] = forwarder;
            targets[i] = gates.For(forwarder);
            weights[i] = split[i].Weight;
        }

        return new PoolSplit(forwarders, targets, weights, services);
    }

    /// <summary>Puts a <see cref="PoolGate"/> with this route's priority and counters in front of each pool that has a breaker or a limit.</summary>
    private sealed class Gates(ProtectionStats stats, string listener, string route, RequestPriority priority)
    {
        public IBackendTarget For(PoolForwarder forwarder)
        {
            if (forwarder.Pool.Admission is not { } admission) return forwarder;
            var config = forwarder.Pool.Config;
            var counters = new GateCounters(stats, listener, route, config.CircuitBreaker is not null, config.AdaptiveConcurrency is not null);
            return new PoolGate(forwarder, admission, priority, counters);
        }
    }

    private static bool Fail(List<ConfigError> errors, SourceLocation location, string message)
    {
        errors.Add(new ConfigError(location, message));
        return false;
    }
}
