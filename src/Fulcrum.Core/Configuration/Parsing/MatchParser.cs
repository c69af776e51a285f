using System.Collections.Immutable;
using System.Net;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>A route's `match`: every condition given must hold.</summary>
internal static class MatchParser
{
    private static readonly MappingSchema<MatchConfig> Schema = new MappingSchema<MatchConfig>("match")
        .Key("host", (m, n, c) => m with { Hosts = m.Hosts.AddRange(Hosts(n, c)) })
        .Key("path-prefix", (m, n, c) => m with { PathPrefix = Path(n, "path-prefix", c) })
        .Key("path-regex", (m, n, c) => m with { PathRegex = RegexReader.Read(n, "path-regex", c) })
        .Key("method", (m, n, c) => m with { Methods = m.Methods.AddRange(Methods(n, c)) })
        .Key("header", (m, n, c) => m with { Headers = m.Headers.AddRange(ValueMatchParser.ReadMany(n, "header", c)) })
        .Key("headers", (m, n, c) => m with { Headers = m.Headers.AddRange(ValueMatchParser.ReadMany(n, "headers", c)) })
        .Key("cookie", (m, n, c) => m with { Cookies = m.Cookies.AddRange(ValueMatchParser.ReadMany(n, "cookie", c)) })
        .Key("cookies", (m, n, c) => m with { Cookies = m.Cookies.AddRange(ValueMatchParser.ReadMany(n, "cookies", c)) })
        .Key("query", (m, n, c) => m with { Query = m.Query.AddRange(ValueMatchParser.ReadMany(n, "query", c)) })
        .Key("client-cidr", (m, n, c) => m with { ClientCidrs = m.ClientCidrs.AddRange(Cidrs(n, c)) })
        .Key("geo", (m, n, c) => m with { Geo = GeoMatchParser.Read(n, c) });

    public static MatchConfig Read(YamlNode node, ParseContext context) =>
        Schema.Read(node, new MatchConfig { Location = context.At(node) }, context);

    public static string? Path(YamlNode node, string key, ParseContext context)
    {
        var path = YamlReader.String(node, key, context);
        if (path is null || path.StartsWith('/')) return path;
        context.Error(node, $"'{key}' must start with '/', like /{path}");
        return null;
    }

    /// <summary>Hosts are compared case-insensitively, so they are kept lower-case; `*.` may only lead.</summary>
    private static IEnumerable<string> Hosts(YamlNode node, ParseContext context)
    {
        foreach (var (host, item) in YamlReader.OneOrMany(node, "host", context))
        {
            var rest = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
            if (rest.Length == 0 || rest.Contains('*') || Uri.CheckHostName(rest) == UriHostNameType.Unknown)
            {
                context.Error(item, $"host '{host}' must be a host name like example.com or *.example.com");
                continue;
            }

            yield return host.ToLowerInvariant();
        }
    }

    private static IEnumerable<string> Methods(YamlNode node, ParseContext context)
    {
        foreach (var (method, item) in YamlReader.OneOrMany(node, "method", context))
        {
            if (method.Length == 0 || !method.All(char.IsAsciiLetter))
            {
                context.Error(item, $"method '{method}' must be an HTTP method like GET or POST");
                continue;
            }

            yield return method.ToUpperInvariant();
        }
    }

    /// <summary>Kept as `address/length`; a bare address is its own block (/32 or /128).</summary>
    public static IEnumerable<string> Cidrs(YamlNode node, ParseContext context, string key = "client-cidr")
    {
        foreach (var (text, item) in YamlReader.OneOrMany(node, key, context))
        {
            if (IPNetwork.TryParse(text, out var network))
            {
                yield return network.ToString();
            }
            else if (!text.Contains('/') && IPAddress.TryParse(text, out var address))
            {
                yield return new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128).ToString();
            }
            else
            {
                context.Error(item, $"{key} '{text}' must be a CIDR block like 10.0.0.0/8 or fd00::/8 (no bits set after the prefix)");
            }
        }
    }
}
