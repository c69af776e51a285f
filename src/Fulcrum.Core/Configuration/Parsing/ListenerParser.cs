using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class ListenerParser
{
    private const ListenerProtocol Http = ListenerProtocol.Http, Https = ListenerProtocol.Https, Tcp = ListenerProtocol.Tcp, Udp = ListenerProtocol.Udp,
        Dns = ListenerProtocol.Dns;

    public static readonly NameTable<ListenerProtocol> Protocols = new(
        ("http", Http),
        ("https", Https),
        ("tcp", Tcp),
        ("udp", Udp),
        ("dns", Dns));

    public static readonly NameTable<OverLimitAction> OverLimitActions = new(
        ("queue", OverLimitAction.Queue),
        ("refuse", OverLimitAction.Refuse));

    public static readonly NameTable<HttpFrontEnd> FrontEnds = new(
        ("kestrel", HttpFrontEnd.Kestrel),
        ("fulcrum", HttpFrontEnd.Fulcrum));

    private static readonly MappingSchema<ListenerConfig> Schema = new MappingSchema<ListenerConfig>("listener")
        .Required("name", (l, n, c) => YamlReader.String(n, "name", c) is { } s ? l with { Name = s } : l)
        .Required("bind", (l, n, c) => BindReader.Read(n, "bind", c) is { } b ? l with { Bind = b } : l)
        .Key("protocol", (l, n, c) => YamlReader.Enum(n, "protocol", c, Protocols) is { } p ? l with { Protocol = p } : l)
        .Key("routes", (l, n, c) => l with { Routes = YamlReader.List(n, "routes", c, RouteParser.Read) })
        .Key("pool", (l, n, c) => l with { Pool = PoolReferenceReader.Read(n, "pool", c) })
        .Key("forwarded-headers", (l, n, c) => YamlReader.Bool(n, "forwarded-headers", c) is { } b ? l with { ForwardedHeaders = b } : l)
        .Key("x-real-ip", (l, n, c) => YamlReader.Bool(n, "x-real-ip", c) is { } b ? l with { XRealIp = b } : l)
        .Key("access-log", (l, n, c) => l with { AccessLog = AccessLogParser.Read(n, c) })
        .Key("request-id", (l, n, c) => YamlReader.Bool(n, "request-id", c) is { } b ? l with { RequestId = b } : l)
        .Key("trusted-proxies", (l, n, c) => l with { TrustedProxies = [.. MatchParser.Cidrs(n, c, "trusted-proxies")] })
        .Key("h2c", (l, n, c) => YamlReader.Bool(n, "h2c", c) is { } b ? l with { H2c = b } : l)
        .Key("front-end", (l, n, c) => YamlReader.Enum(n, "front-end", c, FrontEnds) is { } f ? l with { FrontEnd = f } : l)
        .Key("limits", (l, n, c) => l with { Limits = HttpLimitsParser.Read(n, c) })
        .Key("allow", (l, n, c) => l with { Allow = [.. MatchParser.Cidrs(n, c, "allow")] })
        .Key("deny", (l, n, c) => l with { Deny = [.. MatchParser.Cidrs(n, c, "deny")] })
        .Key("tls", (l, n, c) => l with { Tls = ListenerTlsParser.Read(n, c) })
        .Key("sni", (l, n, c) => l with { Sni = YamlReader.List(n, "sni", c, SniRouteParser.Read) })
        .Key("accept-proxy", (l, n, c) => YamlReader.Bool(n, "accept-proxy", c) is { } b ? l with { AcceptProxy = b } : l)
        .Key("inspect-timeout", (l, n, c) => YamlReader.Duration(n, "inspect-timeout", c, allowZero: false) is { } d ? l with { InspectTimeout = d } : l)
        .Key("max-connections", (l, n, c) => YamlReader.Int(n, "max-connections", c, min: 0) is { } i ? l with { MaxConnections = i } : l)
        .Key("over-limit", (l, n, c) => YamlReader.Enum(n, "over-limit", c, OverLimitActions) is { } a ? l with { OverLimit = a } : l)
        .Key("idle-timeout", (l, n, c) => YamlReader.Duration(n, "idle-timeout", c, allowZero: false) is { } d ? l with { IdleTimeout = d } : l)
        .Key("total-timeout", (l, n, c) => YamlReader.Duration(n, "total-timeout", c) is { } d ? l with { TotalTimeout = d } : l)
        .Key("session-timeout", (l, n, c) => YamlReader.Duration(n, "session-timeout", c, allowZero: false) is { } d ? l with { SessionTimeout = d } : l)
        .Key("max-sessions", (l, n, c) => YamlReader.Int(n, "max-sessions", c, min: 1) is { } i ? l with { MaxSessions = i } : l)
        .Key("max-datagram-size", (l, n, c) => DatagramSize(n, c) is { } i ? l with { MaxDatagramSize = i } : l)
        .Key("records", (l, n, c) => l with { Records = YamlReader.List(n, "records", c, DnsRecordParser.Read) })
        .Key("zone", (l, n, c) => l with { Zone = DnsZoneParser.Read(n, c) });

    // Which keys suit which protocols; checked after reading because `protocol` may come last. A new
    // protocol-specific key needs a line here.
    private static readonly (string Key, ListenerProtocol[] Protocols, string? Advice)[] KeyProtocols =
    [
        ("routes", [Http, Https], "tcp and udp listeners name a 'pool'"),
        ("forwarded-headers", [Http, Https], "tcp and udp carry no HTTP headers"),
        ("request-id", [Http, Https], "tcp and udp carry no HTTP headers"),
        ("x-real-ip", [Http, Https], "tcp and udp carry no HTTP headers; a tcp pool tells its backends the client with proxy-protocol"),
        ("trusted-proxies", [Http, Https], "tcp listeners take the client address from a PROXY header: accept-proxy"),
        ("front-end", [Http, Https], "tcp listeners relay bytes and parse no HTTP"),
        ("limits", [Http, Https], "tcp listeners have max-connections, idle-timeout and total-timeout"),
        ("h2c", [Http], "https listeners offer HTTP/2 by ALPN (tls.alpn)"),
        ("allow", [Http, Https], null),
        ("deny", [Http, Https], null),
        ("tls", [Https], "add protocol: https, or use 'sni' on a tcp listener for TLS passthrough"),
        ("pool", [Tcp, Udp], "http listeners send traffic to pools with routes, e.g. routes: [ { pool: web } ]"),
        ("sni", [Tcp], "https listeners route by host with routes"),
        ("accept-proxy", [Tcp, Http, Https], null),
        ("inspect-timeout", [Tcp, Http, Https], null),
        ("max-connections", [Tcp], null),
        ("over-limit", [Tcp], null),
        ("idle-timeout", [Tcp], null),
        ("total-timeout", [Tcp], null),
        ("session-timeout", [Udp], null),
        ("max-sessions", [Udp], null),
        ("max-datagram-size", [Udp], null),
        ("records", [Dns], "http listeners send traffic to pools with routes, tcp and udp listeners with 'pool'"),
        ("zone", [Dns], null),
    ];

    public static ListenerConfig? Read(YamlNode node, int index, ParseContext context)
    {
        context.ListenerIndex = index;
        var seed = new ListenerConfig { Name = "", Bind = BindReader.Unset, Location = context.At(node) };
        var listener = Schema.Read(node, seed, context);
        context.ListenerIndex = -1;
        if (node is not YamlMappingNode mapping) return listener;

        context.Facts.ListenersByIndex[index] = listener;
        if (YamlReader.Find(mapping, "name") is { } nameNode && listener.Name.Length > 0)
            context.Facts.Listeners.Add(new NamedItem(listener.Name, context.At(nameNode)));
        if (YamlReader.Find(mapping, "bind") is { } bindNode && listener.Bind != BindReader.Unset)
        {
            // A dns listener serves UDP and TCP on one port (RFC 7766: TCP is not optional), so it takes both.
            var owner = $"listener '{listener.Name}'";
            context.Facts.Binds.Add(new BindFact(owner, listener.Bind, listener.Protocol == Udp, context.At(bindNode)));
            if (listener.Protocol == Dns) context.Facts.Binds.Add(new BindFact(owner, listener.Bind, true, context.At(bindNode)));
        }

        CheckKeysSuitProtocol(mapping, listener, context);
        CheckHasTarget(mapping, listener, context);
        if (listener.Protocol == Dns) listener = listener with { Zone = DnsZoneParser.Complete(listener, mapping, context) };
        context.Facts.ListenersByIndex[index] = listener;
        return listener;
    }

    public static string Name(ListenerProtocol protocol) => protocol.ToString().ToLowerInvariant();

    private static void CheckKeysSuitProtocol(YamlMappingNode mapping, ListenerConfig listener, ParseContext context)
    {
        foreach (var (key, protocols, advice) in KeyProtocols)
        {
            if (YamlReader.FindKey(mapping, key) is not { } keyNode || protocols.Contains(listener.Protocol)) continue;
            var suits = string.Join(" and ", protocols.Select(Name));
            var message = $"'{key}' is for {suits} listeners, not {Name(listener.Protocol)} listener '{listener.Name}'";
            context.Error(keyNode, advice is null ? message : $"{message}; {advice}");
        }
    }

    private static void CheckHasTarget(YamlMappingNode mapping, ListenerConfig listener, ParseContext context)
    {
        var name = listener.Name;
        var hasPool = YamlReader.FindKey(mapping, "pool") is not null;
        var hasSni = YamlReader.FindKey(mapping, "sni") is not null;
        var isHttp = listener.Protocol is Http or Https;

        // A pool on an http listener is already reported as the wrong key; "needs routes" would say it twice.
        if (isHttp && !hasPool && YamlReader.FindKey(mapping, "routes") is null)
            context.Error(mapping, $"{Name(listener.Protocol)} listener '{name}' needs 'routes', e.g. routes: [ {{ pool: web }} ]");
        if (listener.Protocol == Https && YamlReader.FindKey(mapping, "tls") is null)
            context.Error(mapping, $"https listener '{name}' needs 'tls' with at least one certificate");
        if (listener.Protocol == Tcp && hasPool && hasSni)
            context.Error(YamlReader.FindKey(mapping, "sni")!, $"tcp listener '{name}' has both 'pool' and 'sni'; give one");
        if (listener.Protocol == Tcp && !hasPool && !hasSni)
            context.Error(mapping, $"tcp listener '{name}' needs 'pool' (or 'sni' to route TLS by server name)");
        if (listener.Protocol == Udp && !hasPool)
            context.Error(mapping, $"udp listener '{name}' needs 'pool'");
        if (listener.Protocol == Dns && YamlReader.FindKey(mapping, "records") is null)
            context.Error(mapping, $"dns listener '{name}' needs 'records', e.g. records: [ {{ name: www.example.com, pool: sites }} ]");
        foreach (var key in (ReadOnlySpan<string>)["routes", "sni", "records"])
        {
            if (YamlReader.Find(mapping, key) is YamlSequenceNode { Children.Count: 0 } empty)
                context.Error(empty, $"'{key}' is empty; give at least one entry");
        }
    }

    /// <summary>65507 is the largest payload of an IPv4 UDP datagram (65535 - 8 UDP - 20 IP header bytes).</summary>
    private static int? DatagramSize(YamlNode node, ParseContext context)
    {
        var bytes = YamlReader.Bytes(node, "max-datagram-size", context);
        if (bytes is null or (>= 1 and <= 65_507)) return (int?)bytes;
        context.Error(node, $"'max-datagram-size' must be from 1 to 65507 bytes, not {bytes}");
        return null;
    }
}
