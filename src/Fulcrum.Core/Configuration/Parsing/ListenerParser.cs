using System.Collections.Frozen;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

internal static class ListenerParser
{
    public static readonly FrozenDictionary<string, ListenerProtocol> Protocols = new Dictionary<string, ListenerProtocol>
    {
        ["http"] = ListenerProtocol.Http,
        ["https"] = ListenerProtocol.Https,
        ["tcp"] = ListenerProtocol.Tcp,
        ["udp"] = ListenerProtocol.Udp,
    }.ToFrozenDictionary();

    private static readonly MappingSchema<ListenerConfig> Schema = new MappingSchema<ListenerConfig>("listener")
        .Required("name", (l, n, c) => YamlReader.String(n, "name", c) is { } s ? l with { Name = s } : l)
        .Required("bind", (l, n, c) => BindReader.Read(n, "bind", c) is { } b ? l with { Bind = b } : l)
        .Key("protocol", (l, n, c) => YamlReader.Enum(n, "protocol", c, Protocols) is { } p ? l with { Protocol = p } : l)
        .Key("routes", (l, n, c) => l with { Routes = YamlReader.List(n, "routes", c, RouteParser.Read) })
        .Key("pool", (l, n, c) => l with { Pool = PoolReferenceReader.Read(n, "pool", c) })
        .Key("forwarded-headers", (l, n, c) => YamlReader.Bool(n, "forwarded-headers", c) is { } b ? l with { ForwardedHeaders = b } : l)
        .Key("request-id", (l, n, c) => YamlReader.Bool(n, "request-id", c) is { } b ? l with { RequestId = b } : l)
        .Key("tls", (l, n, c) => l with { Tls = TlsParser.Read(n, c) })
        .Key("sni", (l, n, c) => l with { Sni = YamlReader.List(n, "sni", c, TlsParser.ReadSniRoute) });

    // Which keys suit which protocols; checked after reading because `protocol` may come last.
    private static readonly (string Key, ListenerProtocol[] Protocols, string Advice)[] KeyProtocols =
    [
        ("routes", [ListenerProtocol.Http, ListenerProtocol.Https], "tcp and udp listeners name a 'pool'"),
        ("forwarded-headers", [ListenerProtocol.Http, ListenerProtocol.Https], "tcp and udp carry no HTTP headers"),
        ("request-id", [ListenerProtocol.Http, ListenerProtocol.Https], "tcp and udp carry no HTTP headers"),
        ("tls", [ListenerProtocol.Https], "add protocol: https, or use 'sni' on a tcp listener for TLS passthrough"),
        ("pool", [ListenerProtocol.Tcp, ListenerProtocol.Udp], "http listeners send traffic to pools with routes, e.g. routes: [ { pool: web } ]"),
        ("sni", [ListenerProtocol.Tcp], "https listeners route by host with routes"),
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
            context.Facts.Binds.Add(new BindFact($"listener '{listener.Name}'", listener.Bind, listener.Protocol == ListenerProtocol.Udp, context.At(bindNode)));

        CheckKeysSuitProtocol(mapping, listener, context);
        CheckHasTarget(mapping, listener, context);
        return listener;
    }

    private static void CheckKeysSuitProtocol(YamlMappingNode mapping, ListenerConfig listener, ParseContext context)
    {
        var protocol = Name(listener.Protocol);
        foreach (var (key, protocols, advice) in KeyProtocols)
        {
            if (YamlReader.FindKey(mapping, key) is not { } keyNode || protocols.Contains(listener.Protocol)) continue;
            var suits = string.Join(" and ", protocols.Select(Name));
            context.Error(keyNode, $"'{key}' is for {suits} listeners, not {protocol} listener '{listener.Name}'; {advice}");
        }
    }

    private static void CheckHasTarget(YamlMappingNode mapping, ListenerConfig listener, ParseContext context)
    {
        var name = listener.Name;
        var hasPool = YamlReader.FindKey(mapping, "pool") is not null;
        var hasSni = YamlReader.FindKey(mapping, "sni") is not null;
        var isHttp = listener.Protocol is ListenerProtocol.Http or ListenerProtocol.Https;

        // A pool on an http listener is already reported as the wrong key; "needs routes" would say it twice.
        if (isHttp && !hasPool && YamlReader.FindKey(mapping, "routes") is null)
            context.Error(mapping, $"{Name(listener.Protocol)} listener '{name}' needs 'routes', e.g. routes: [ {{ pool: web }} ]");
        if (listener.Protocol == ListenerProtocol.Https && YamlReader.FindKey(mapping, "tls") is null)
            context.Error(mapping, $"https listener '{name}' needs 'tls' with at least one certificate");
        if (listener.Protocol == ListenerProtocol.Tcp && hasPool && hasSni)
            context.Error(YamlReader.FindKey(mapping, "sni")!, $"tcp listener '{name}' has both 'pool' and 'sni'; give one");
        if (listener.Protocol == ListenerProtocol.Tcp && !hasPool && !hasSni)
            context.Error(mapping, $"tcp listener '{name}' needs 'pool' (or 'sni' to route TLS by server name)");
        if (listener.Protocol == ListenerProtocol.Udp && !hasPool)
            context.Error(mapping, $"udp listener '{name}' needs 'pool'");
    }

    public static string Name(ListenerProtocol protocol) => protocol.ToString().ToLowerInvariant();
}
