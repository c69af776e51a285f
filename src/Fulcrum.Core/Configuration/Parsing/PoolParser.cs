using Fulcrum.Core.Balancing;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class PoolParser
{
    private static readonly NameTable<ProxyProtocolVersion> ProxyProtocols = new(
        ("none", ProxyProtocolVersion.None),
        ("v1", ProxyProtocolVersion.V1),
        ("v2", ProxyProtocolVersion.V2));

    // Accepted keys must work: the L4 plane writes the header on the backend connection it opens for one tcp client.
    private const string ProxyProtocolWhy =
        "the PROXY protocol is a header at the start of a backend TCP stream that carries one client: udp has no stream, " +
        "and http listeners share their backend connections among clients";

    public static readonly NameTable<BackendProtocol> BackendProtocols = new(
        ("http/1.1", BackendProtocol.Http11),
        ("h2c", BackendProtocol.H2c),
        ("h2", BackendProtocol.H2));

    private const string BackendProtocolWhy = "tcp and udp listeners relay bytes and speak no HTTP to the backends";

    private const string AdaptiveWhy = "the limit follows the latency of requests; a tcp connection's lifetime says nothing about a backend's load";

    private const string HttpBreakerWhy = "a tcp pool counts connections (max-connections, max-pending), not requests or retries";

    private const string UdpBreakerWhy = "udp sessions are not connections to a backend; the listener's session limits bound them";

    private static readonly ListenerProtocol[] Connected = [ListenerProtocol.Http, ListenerProtocol.Https, ListenerProtocol.Tcp];

    private static readonly MappingSchema<PoolConfig> Schema = new MappingSchema<PoolConfig>("pool")
        .Required("name", (p, n, c) => YamlReader.String(n, "name", c) is { } s ? p with { Name = s } : p)
        .Key("algorithm", (p, n, c) => Algorithm(n, c) is { } a ? p with { Algorithm = a } : p)
        .Key("hash-key", (p, n, c) => HashKey(n, c) is { } h ? p with { HashKey = h } : p)
        .Key("backends", Backends)
        .Key("discovery", (p, n, c) => p with { Discovery = DiscoveryParser.ReadBlock(n, c) })
        .Key("connect-timeout", (p, n, c) => YamlReader.Duration(n, "connect-timeout", c, allowZero: false) is { } d ? p with { ConnectTimeout = d } : p)
        .Key("request-timeout", (p, n, c) => YamlReader.Duration(n, "request-timeout", c, allowZero: false) is { } d ? p with { RequestTimeout = d } : p)
        .Key("health", (p, n, c) => p with { Health = HealthParser.Read(n, c) })
        .Key("affinity", (p, n, c) => p with { Affinity = AffinityParser.Read(n, c) })
        .Key("drain-timeout", (p, n, c) => YamlReader.Duration(n, "drain-timeout", c) is { } d ? p with { DrainTimeout = d } : p)
        .Key("slow-start", (p, n, c) => YamlReader.Duration(n, "slow-start", c) is { } d ? p with { SlowStart = d } : p)
        .Key("proxy-protocol", (p, n, c) => YamlReader.Enum(n, "proxy-protocol", c, ProxyProtocols) is { } v ? p with { ProxyProtocol = v } : p)
        .Key("connect-retries", (p, n, c) => YamlReader.Int(n, "connect-retries", c, min: 0) is { } i ? p with { ConnectRetries = i } : p)
        .Key("backend-max-connections", (p, n, c) => YamlReader.Int(n, "backend-max-connections", c, min: 0) is { } i ? p with { BackendMaxConnections = i } : p)
        .Key("over-limit", (p, n, c) => YamlReader.Enum(n, "over-limit", c, ListenerParser.OverLimitActions) is { } a ? p with { OverLimit = a } : p)
        .Key("queue-timeout", (p, n, c) => YamlReader.Duration(n, "queue-timeout", c, allowZero: false) is { } d ? p with { QueueTimeout = d } : p)
        .Key("retries", (p, n, c) => p with { Retries = RetryParser.Read(n, c) })
        .Key("circuit-breaker", (p, n, c) => p with { CircuitBreaker = CircuitBreakerParser.Read(n, c) })
        .Key("adaptive-concurrency", (p, n, c) => p with { AdaptiveConcurrency = AdaptiveConcurrencyParser.Read(n, c) })
        .Key("keepalive", (p, n, c) => p with { KeepAlive = KeepAliveParser.Read(n, c) })
        .Key("tls", (p, n, c) => p with { Tls = PoolTlsParser.Read(n, c) })
        .Key("backend-protocol", (p, n, c) => YamlReader.Enum(n, "backend-protocol", c, BackendProtocols) is { } v ? p with { BackendProtocol = v } : p)
        .Key("load-header", (p, n, c) => LoadHeader(n, c) is { } h ? p with { LoadHeader = h } : p);

    // Entries that name a discovery source (dns:, srv:, file:) go to Sources; the rest are the file's backends.
    private static PoolConfig Backends(PoolConfig pool, YamlNode node, ParseContext context)
    {
        var sources = new List<DiscoverySource>();
        var backends = YamlReader.List(node, "backends", context, (item, index, c) =>
        {
            if (!DiscoveryParser.IsSource(item)) return BackendParser.Read(item, index, c);
            sources.Add(DiscoveryParser.ReadSource(item, c));
            return null;
        });
        return pool with { Backends = backends, Sources = [.. sources] };
    }

    private static string? LoadHeader(YamlNode node, ParseContext context)
    {
        var name = YamlReader.String(node, "load-header", context);
        if (name is null) return null;
        // RFC 9110 token characters: what a header name may be made of.
        if (name.Length > 0 && name.All(static ch => char.IsAsciiLetterOrDigit(ch) || "!#$%&'*+-.^_`|~".Contains(ch))) return name;
        context.Error(node, $"'load-header' must be a header name like endpoint-load-metrics, not '{name}'");
        return null;
    }

    public static PoolConfig? Read(YamlNode node, int index, ParseContext context)
    {
        var pool = Schema.Read(node, new PoolConfig { Name = "", Location = context.At(node) }, context);
        if (node is not YamlMappingNode mapping) return pool;

        if (YamlReader.Find(mapping, "name") is { } nameNode && pool.Name.Length > 0)
            context.Facts.Pools.Add(new NamedItem(pool.Name, context.At(nameNode)));
        CheckBackendIds(pool, context);
        pool = BackendSchemes.Apply(pool, YamlReader.Find(mapping, "tls") is not null, context);
        CheckBackendProtocol(mapping, pool, context);
        // A dns: source without a port: the pool's scheme's default, as for http:// and https:// addresses.
        if (pool.Sources.Any(static s => s is { Kind: DiscoveryKind.Dns, Port: 0 }))
            pool = pool with { Sources = [.. pool.Sources.Select(s => s is { Kind: DiscoveryKind.Dns, Port: 0 } ? s with { Port = pool.Tls is null ? 80 : 443 } : s)] };
        RecordListenerSpecificKeys(mapping, pool, context);
        return pool;
    }

    // h2 is HTTP/2 over TLS and h2c is HTTP/2 in cleartext (RFC 9113 section 3): the pool's tls must say the same.
    private static void CheckBackendProtocol(YamlMappingNode mapping, PoolConfig pool, ParseContext context)
    {
        if (YamlReader.Find(mapping, "backend-protocol") is not { } node) return;
        if (pool.BackendProtocol == BackendProtocol.H2 && pool.Tls is null)
            context.Error(node, $"backend-protocol h2 is HTTP/2 over TLS: pool '{pool.Name}' needs a tls: block (or https:// backends); for cleartext HTTP/2 say h2c");
        if (pool.BackendProtocol == BackendProtocol.H2c && pool.Tls is not null)
            context.Error(node, $"backend-protocol h2c is cleartext HTTP/2, but pool '{pool.Name}' re-encrypts (tls: or https:// backends); for HTTP/2 over TLS say h2");
        if (pool.BackendProtocol != BackendProtocol.Http11)
            context.Facts.PoolKeys.Add(new PoolKeyFact(pool.Name, "backend-protocol", BackendProtocols.NameOf(pool.BackendProtocol), PoolKeyFact.Http, context.At(node), BackendProtocolWhy));
    }

    private static string? Algorithm(YamlNode node, ParseContext context)
    {
        var name = YamlReader.String(node, "algorithm", context);
        if (name is null || BalancerNames.IsKnown(name)) return name;
        context.Error(node, YamlReader.UnknownName("algorithm", name, BalancerNames.All));
        return null;
    }

    private static HashKeyConfig? HashKey(YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "hash-key", context);
        if (text is null) return null;
        if (HashKeyParser.TryParse(text, out var key)) return key;
        context.Error(node, $"hash-key '{text}' does not parse; use {HashKeyParser.Hint}");
        return null;
    }

    private static void CheckBackendIds(PoolConfig pool, ParseContext context)
    {
        var seen = new Dictionary<string, BackendConfig>(StringComparer.Ordinal);
        foreach (var backend in pool.Backends)
        {
            if (backend.Address.Length == 0) continue;
            if (seen.TryGetValue(backend.Id, out var first))
                context.Error(backend.Location, $"duplicate backend '{backend.Id}' in pool '{pool.Name}' (first at line {first.Location.Line}); give each a distinct 'name'");
            else
                seen.Add(backend.Id, backend);
        }
    }

    /// <summary>Keys whose value only works behind HTTP listeners, or only behind tcp ones; checked once listeners are known.</summary>
    private static void RecordListenerSpecificKeys(YamlMappingNode mapping, PoolConfig pool, ParseContext context)
    {
        if (pool.HashKey.Source is not (HashKeySource.SourceIp or HashKeySource.SourceIpPort) && YamlReader.Find(mapping, "hash-key") is { } hashNode)
            context.Facts.PoolKeys.Add(new PoolKeyFact(pool.Name, "hash-key", pool.HashKey.ToString(), PoolKeyFact.Http, context.At(hashNode)));
        if (pool.Affinity is { Mode: not AffinityMode.SourceIp } affinity)
            context.Facts.PoolKeys.Add(new PoolKeyFact(pool.Name, "affinity", AffinityParser.Name(affinity.Mode), PoolKeyFact.Http, affinity.Location));
        if (pool.ProxyProtocol != ProxyProtocolVersion.None && YamlReader.Find(mapping, "proxy-protocol") is { } proxyNode)
            context.Facts.PoolKeys.Add(new PoolKeyFact(pool.Name, "proxy-protocol", ProxyProtocols.NameOf(pool.ProxyProtocol), [ListenerProtocol.Tcp], context.At(proxyNode), ProxyProtocolWhy));
        if (YamlReader.Find(mapping, "adaptive-concurrency") is { } adaptive)
            context.Facts.PoolKeys.Add(new PoolKeyFact(pool.Name, "adaptive-concurrency", "{...}", PoolKeyFact.Http, context.At(adaptive), AdaptiveWhy));
        if (YamlReader.Find(mapping, "circuit-breaker") is { } breaker)
        {
            context.Facts.PoolKeys.Add(new PoolKeyFact(pool.Name, "circuit-breaker", "{...}", Connected, context.At(breaker), UdpBreakerWhy));
            foreach (var (key, value, node) in CircuitBreakerParser.HttpOnlyKeys(breaker))
                context.Facts.PoolKeys.Add(new PoolKeyFact(pool.Name, key, value, PoolKeyFact.Http, context.At(node), HttpBreakerWhy));
        }

        if (pool.Tls is { } tls && YamlReader.Find(mapping, "tls") is not null)
            context.Facts.PoolKeys.Add(new PoolKeyFact(pool.Name, "tls", "re-encryption", PoolKeyFact.Http, tls.Location));
    }
}
