namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>
/// Checks that need the whole file: unique names, pool references, sockets that would clash, and pool keys
/// that the listeners feeding the pool cannot honour. Each error points at the value that causes it.
/// </summary>
internal static class ConfigValidator
{
    public static void Validate(ParseContext context)
    {
        var facts = context.Facts;
        CheckUnique(facts.Listeners, "listener", context);
        CheckUnique(facts.Pools, "pool", context);
        CheckPoolReferences(facts, context);
        CheckBinds(facts, context);
        CheckPoolKeysSuitListeners(facts, context);
        CheckClusterScopesHaveACluster(facts, context);
        CheckGeoUsesHaveAGeoSection(facts, context);
    }

    private static void CheckGeoUsesHaveAGeoSection(ConfigFacts facts, ParseContext context)
    {
        if (facts.Geo is not null) return;
        foreach (var location in facts.GeoUses)
        {
            context.Error(location, "'geo' needs the top-level 'geo:' section to know where clients are: geo: { database: FILE.mmdb } or geo: { networks: [...] } (docs/gslb.md#geo)");
        }
    }

    private static void CheckClusterScopesHaveACluster(ConfigFacts facts, ParseContext context)
    {
        if (facts.Cluster is not null) return;
        foreach (var location in facts.ClusterScopes)
        {
            context.Error(location, "rate-limit scope 'cluster' shares its counters through Redis: add a 'cluster:' section with 'redis:' (docs/ha.md), or use scope: local");
        }
    }

    private static void CheckUnique(List<NamedItem> items, string what, ParseContext context)
    {
        var first = new Dictionary<string, NamedItem>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!first.TryAdd(item.Name, item))
                context.Error(item.Location, $"duplicate {what} name '{item.Name}' (first at line {first[item.Name].Location.Line})");
        }
    }

    private static void CheckPoolReferences(ConfigFacts facts, ParseContext context)
    {
        var names = facts.Pools.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var reference in facts.PoolReferences)
        {
            if (names.Contains(reference.Pool)) continue;
            var hint = NameSuggester.Nearest(reference.Pool, names) is { } near ? $"did you mean '{near}'?"
                : names.Count == 0 ? "add it under 'pools'"
                : $"defined pools: {string.Join(", ", names.Order(StringComparer.Ordinal))}";
            context.Error(reference.Location, $"pool '{reference.Pool}' is not defined; {hint}");
        }
    }

    private static void CheckBinds(ConfigFacts facts, ParseContext context)
    {
        for (var i = 1; i < facts.Binds.Count; i++)
        {
            var bind = facts.Binds[i];
            for (var j = 0; j < i; j++)
            {
                var earlier = facts.Binds[j];
                if (earlier.Udp != bind.Udp || !earlier.Bind.Overlaps(bind.Bind)) continue;
                var transport = bind.Udp ? "udp" : "tcp";
                context.Error(bind.Location,
                    $"{bind.Owner} cannot bind {transport} {bind.Bind}: {earlier.Owner} already binds {earlier.Bind} (line {earlier.Location.Line})");
                break;
            }
        }
    }

    private static void CheckPoolKeysSuitListeners(ConfigFacts facts, ParseContext context)
    {
        foreach (var key in facts.PoolKeys)
        {
            foreach (var reference in facts.PoolReferences)
            {
                if (reference.Pool != key.Pool || !facts.ListenersByIndex.TryGetValue(reference.ListenerIndex, out var listener)) continue;
                if (key.Suits.Contains(listener.Protocol)) continue;
                var needs = key.Suits.SequenceEqual(PoolKeyFact.Http) ? "needs http or https listeners"
                    : $"works only behind {string.Join(" and ", key.Suits.Select(ListenerParser.Name))} listeners";
                var why = key.Why is null ? "" : $"; {key.Why}";
                context.Error(key.Location,
                    $"'{key.Key}: {key.Value}' {needs}, but pool '{key.Pool}' serves {ListenerParser.Name(listener.Protocol)} listener '{listener.Name}'{why}");
                break;
            }
        }
    }
}
