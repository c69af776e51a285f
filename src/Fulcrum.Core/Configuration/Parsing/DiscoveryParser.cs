using System.Net;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>
/// Service discovery in a pool: `backends` entries whose address is `dns:NAME[:PORT]`, `srv:NAME` or `file:PATH`, and
/// the pool's `discovery:` block (docs/gslb.md, "Service discovery").
/// </summary>
internal static class DiscoveryParser
{
    private static readonly string[] Prefixes = ["dns:", "srv:", "file:"];

    private static readonly MappingSchema<DiscoverySource> SourceSchema = new MappingSchema<DiscoverySource>("backend")
        .Required("address", Address)
        .Key("name", (s, n, c) =>
        {
            c.Error(n, $"'{s.Text}' finds backends, which are named by their address; a discovery source takes no 'name'");
            return s;
        })
        .Key("weight", (s, n, c) => YamlReader.Int(n, "weight", c, min: 1) is { } w ? s with { Weight = w } : s)
        .Key("backup", (s, n, c) => YamlReader.Bool(n, "backup", c) is { } b ? s with { Backup = b } : s);

    private static readonly MappingSchema<DiscoveryConfig> BlockSchema = new MappingSchema<DiscoveryConfig>("discovery")
        .Key("resolver", (d, n, c) => Resolver(n, c) is { } r ? d with { Resolver = r } : d)
        .Key("min-interval", (d, n, c) => YamlReader.Duration(n, "min-interval", c, allowZero: false) is { } t ? d with { MinInterval = t } : d)
        .Key("max-interval", (d, n, c) => YamlReader.Duration(n, "max-interval", c, allowZero: false) is { } t ? d with { MaxInterval = t } : d)
        .Key("timeout", (d, n, c) => YamlReader.Duration(n, "timeout", c, allowZero: false) is { } t ? d with { Timeout = t } : d);

    /// <summary>True when a `backends` entry is a discovery source (its address starts with `dns:`, `srv:` or `file:`).</summary>
    public static bool IsSource(YamlNode entry) =>
        entry is YamlMappingNode mapping
        && YamlReader.Find(mapping, "address") is YamlScalarNode { Value: { } address }
        && Prefixes.Any(p => address.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    public static DiscoverySource ReadSource(YamlNode node, ParseContext context) =>
        SourceSchema.Read(node, new DiscoverySource { Kind = DiscoveryKind.Dns, Target = "", Location = context.At(node) }, context);

    public static DiscoveryConfig ReadBlock(YamlNode node, ParseContext context)
    {
        var block = BlockSchema.Read(node, DiscoveryConfig.Default with { Location = context.At(node) }, context);
        if (block.MinInterval > block.MaxInterval)
            context.Error(node, $"'min-interval' ({block.MinInterval.TotalSeconds:0.###}s) is longer than 'max-interval' ({block.MaxInterval.TotalSeconds:0.###}s)");
        return block;
    }

    private static DiscoverySource Address(DiscoverySource source, YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "address", context);
        if (text is null) return source;
        var colon = text.IndexOf(':');
        var scheme = text[..colon].ToLowerInvariant();
        var rest = text[(colon + 1)..];
        switch (scheme)
        {
            case "dns":
                // dns:NAME or dns:NAME:PORT; the port is the one every address of the name gets.
                var port = 0;
                var portColon = rest.LastIndexOf(':');
                if (portColon >= 0)
                {
                    if (!int.TryParse(rest[(portColon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
                    {
                        context.Error(node, $"'{text}': the port after the name must be a number from 1 to 65535, like dns:api.internal:8080");
                        return source;
                    }

                    rest = rest[..portColon];
                }

                return IsHostName(rest, text, node, context) ? source with { Kind = DiscoveryKind.Dns, Target = rest, Port = port } : source;
            case "srv":
                if (rest.Contains(':'))
                {
                    context.Error(node, $"'{text}': SRV records carry their ports; write srv:NAME, like srv:_http._tcp.api.internal");
                    return source;
                }

                return IsHostName(rest, text, node, context, srv: true) ? source with { Kind = DiscoveryKind.Srv, Target = rest } : source;
            default:
                if (rest.Length == 0)
                {
                    context.Error(node, $"'{text}' needs a path, like file:backends.txt (relative to the config file's folder)");
                    return source;
                }

                return source with { Kind = DiscoveryKind.File, Target = rest };
        }
    }

    private static bool IsHostName(string name, string text, YamlNode node, ParseContext context, bool srv = false)
    {
        // SRV owner names have underscore labels (RFC 2782: _service._proto.name), which Uri.CheckHostName refuses.
        var checkedName = srv ? name.Replace('_', 'x') : name;
        if (name.Length > 0 && Uri.CheckHostName(checkedName.TrimEnd('.')) == UriHostNameType.Dns) return true;
        context.Error(node, srv
            ? $"'{text}' must name an SRV record, like srv:_http._tcp.api.internal"
            : $"'{text}' must name a host, like dns:api.internal or dns:api.internal:8080");
        return false;
    }

    private static IPEndPoint? Resolver(YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "resolver", context);
        if (text is null) return null;
        if (IPAddress.TryParse(text, out var address)) return new IPEndPoint(address, 53);
        if (IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port > 0) return endpoint;
        context.Error(node, $"'resolver' must be an IP address with an optional port, like 10.0.0.2:53 or [::1]:5353, not '{text}'");
        return null;
    }
}
