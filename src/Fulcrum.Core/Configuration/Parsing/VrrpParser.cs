using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>The `vrrp:` section and its nodes. Limits are VRRPv3's (RFC 5798) and keepalived's, so what validates also runs.</summary>
internal static class VrrpParser
{
    // RFC 5798 section 5.2.7: the advertisement interval is a 12-bit count of centiseconds.
    private static readonly TimeSpan AdvertStep = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan AdvertMax = TimeSpan.FromMilliseconds(40_950);

    private static readonly MappingSchema<VrrpConfig> Schema = new MappingSchema<VrrpConfig>("vrrp")
        .Required("virtual-router-id", (v, n, c) => YamlReader.Int(n, "virtual-router-id", c, min: 1, max: 255) is { } i ? v with { VirtualRouterId = i } : v)
        .Required("interface", (v, n, c) => InterfaceName(n, "interface", c) is { } i ? v with { Interface = i } : v)
        .Required("virtual-ips", (v, n, c) => v with { VirtualIps = VirtualIps(n, c) })
        .Key("advert-interval", (v, n, c) => AdvertInterval(n, c) is { } d ? v with { AdvertInterval = d } : v)
        .Key("down-timer-adverts", (v, n, c) => YamlReader.Int(n, "down-timer-adverts", c, min: 1, max: 100) is { } i ? v with { DownTimerAdverts = i } : v)
        .Key("preempt", (v, n, c) => YamlReader.Bool(n, "preempt", c) is { } b ? v with { Preempt = b } : v)
        .Key("unicast", (v, n, c) => YamlReader.Bool(n, "unicast", c) is { } b ? v with { Unicast = b } : v)
        .Key("loopback-vip", (v, n, c) => YamlReader.Bool(n, "loopback-vip", c) is { } b ? v with { LoopbackVip = b } : v)
        .Key("second-chance", (v, n, c) => YamlReader.Bool(n, "second-chance", c) is { } b ? v with { SecondChance = b } : v)
        .Key("state-file", (v, n, c) => YamlReader.String(n, "state-file", c) is { } p ? v with { StateFile = FromConfigDirectory(p, c) } : v)
        .Key("process-name", (v, n, c) => ProcessName(n, c) is { } p ? v with { ProcessName = p } : v)
        .Required("nodes", (v, n, c) => v with { Nodes = YamlReader.List(n, "nodes", c, ReadNode) });

    private static readonly MappingSchema<VrrpNodeConfig> NodeSchema = new MappingSchema<VrrpNodeConfig>("vrrp node")
        .Required("name", (v, n, c) => YamlReader.String(n, "name", c) is { } s ? v with { Name = s } : v)
        .Key("address", (v, n, c) => Ipv4(n, "address", c) is { } a ? v with { Address = a } : v)
        .Key("priority", (v, n, c) => YamlReader.Int(n, "priority", c, min: 1, max: 254) is { } i ? v with { Priority = i } : v)
        .Key("interface", (v, n, c) => InterfaceName(n, "interface", c) is { } i ? v with { Interface = i } : v);

    public static VrrpConfig Read(YamlNode node, ParseContext context)
    {
        var vrrp = Schema.Read(node, new VrrpConfig { Location = context.At(node) }, context);
        if (node is not YamlMappingNode mapping || YamlReader.Find(mapping, "nodes") is not YamlSequenceNode nodes) return vrrp;
        if (nodes.Children.Count == 0) context.Error(nodes, "'nodes' must list the machines that share the virtual IP");
        CheckNodes(vrrp, context);
        CheckSecondChance(vrrp, context);
        return vrrp;
    }

    private static VrrpNodeConfig? ReadNode(YamlNode node, int index, ParseContext context) =>
        NodeSchema.Read(node, new VrrpNodeConfig { Name = "", Location = context.At(node) }, context) is { Name.Length: > 0 } read ? read : null;

    private static void CheckNodes(VrrpConfig vrrp, ParseContext context)
    {
        var names = new Dictionary<string, VrrpNodeConfig>(StringComparer.Ordinal);
        var addresses = new Dictionary<IPAddress, VrrpNodeConfig>();
        foreach (var node in vrrp.Nodes)
        {
            if (!names.TryAdd(node.Name, node))
                context.Error(node.Location, $"duplicate vrrp node name '{node.Name}' (first at line {names[node.Name].Location.Line})");
            if (node.Address is { } address)
            {
                if (!addresses.TryAdd(address, node))
                    context.Error(node.Location, $"vrrp node '{node.Name}' has the address {address} of node '{addresses[address].Name}'");
                if (vrrp.VirtualIps.Any(v => v.Address.Equals(address)))
                    context.Error(node.Location, $"vrrp node '{node.Name}' has the virtual IP {address} as its own address; a node's address stays with it, the virtual IP moves");
            }
            else if (vrrp.Unicast)
            {
                // The unicast source and every other node's peer list come from these addresses.
                context.Error(node.Location, $"vrrp node '{node.Name}' needs an 'address' with 'unicast: true': the other nodes send their adverts to it");
            }
        }
    }

    /// <summary>
    /// A stray packet goes to the one other node, which must still accept it for the virtual IP after handing that over:
    /// with three nodes the owner is unknown, and any node without the connection would reset it.
    /// </summary>
    private static void CheckSecondChance(VrrpConfig vrrp, ParseContext context)
    {
        if (!vrrp.SecondChance) return;
        if (!vrrp.LoopbackVip)
            context.Error(vrrp.Location, "'second-chance: true' needs 'loopback-vip: true': the node a stray packet goes to must still accept it for the virtual IP");
        if (vrrp.Nodes.Length != 2)
            context.Error(vrrp.Location, $"'second-chance: true' needs exactly two nodes (there are {vrrp.Nodes.Length}): a stray packet goes to the other one");
        foreach (var node in vrrp.Nodes)
        {
            if (node.Address is null)
                context.Error(node.Location, $"vrrp node '{node.Name}' needs an 'address' with 'second-chance: true': the other node sends stray packets to it");
        }
    }

    /// <summary>Linux names an interface in at most 15 bytes (IFNAMSIZ 16 with its NUL), without '/', ':' or spaces.</summary>
    private static string? InterfaceName(YamlNode node, string key, ParseContext context)
    {
        var text = YamlReader.String(node, key, context);
        if (text is null) return null;
        if (Encoding.UTF8.GetByteCount(text) is >= 1 and <= 15 && !text.Any(ch => ch is '/' or ':' || char.IsWhiteSpace(ch) || char.IsControl(ch))) return text;
        context.Error(node, $"'{key}' must be a network interface name (1 to 15 bytes, no '/', ':' or spaces), not '{text}'");
        return null;
    }

    private static ImmutableArray<VirtualIp> VirtualIps(YamlNode node, ParseContext context)
    {
        var builder = ImmutableArray.CreateBuilder<VirtualIp>();
        var seen = new HashSet<IPAddress>();
        foreach (var (text, item) in YamlReader.OneOrMany(node, "virtual-ips", context))
        {
            if (VirtualIp(text, item, context) is not { } vip) continue;
            if (seen.Add(vip.Address)) builder.Add(vip);
            else context.Error(item, $"virtual IP {vip.Address} is listed twice");
        }

        return builder.ToImmutable();
    }

    /// <summary>`192.0.2.10/24` (the prefix of the subnet it lives in) or a bare `192.0.2.10` (a /32).</summary>
    private static VirtualIp? VirtualIp(string text, YamlNode node, ParseContext context)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (IPAddress.TryParse(addressText, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // keepalived runs one address family per VRRP instance, and VRRPv3 over IPv6 needs a link-local address first.
            context.Error(node, $"virtual IP '{text}' is IPv6; only IPv4 virtual IPs are supported");
            return null;
        }

        var prefix = 32;
        if (address is null || addressText.Count(ch => ch == '.') != 3
            || slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix is < 1 or > 32))
        {
            context.Error(node, $"'virtual-ips' must hold IPv4 addresses with an optional prefix length, like 192.0.2.10/24, not '{text}'");
            return null;
        }

        return new VirtualIp(address, prefix);
    }

    private static IPAddress? Ipv4(YamlNode node, string key, ParseContext context)
    {
        var text = YamlReader.String(node, key, context);
        if (text is null) return null;
        if (IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork && text.Count(ch => ch == '.') == 3) return address;
        context.Error(node, $"'{key}' must be an IPv4 address, like 192.0.2.11, not '{text}'");
        return null;
    }

    private static TimeSpan? AdvertInterval(YamlNode node, ParseContext context)
    {
        if (YamlReader.Duration(node, "advert-interval", context) is not { } interval) return null;
        if (interval >= AdvertStep && interval <= AdvertMax && interval.Ticks % AdvertStep.Ticks == 0) return interval;
        context.Error(node, $"'advert-interval' must be from 10ms to 40.95s in steps of 10ms (VRRPv3 counts centiseconds), not '{((YamlScalarNode)node).Value}'");
        return null;
    }

    /// <summary>What /proc/PID/comm holds: at most 15 bytes. Kept to a portable set so keepalived's config needs no quoting.</summary>
    private static string? ProcessName(YamlNode node, ParseContext context)
    {
        var text = YamlReader.String(node, "process-name", context);
        if (text is null) return null;
        if (text.Length is >= 1 and <= 15 && text.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.')) return text;
        context.Error(node, $"'process-name' must be 1 to 15 letters, digits, '-', '_' or '.' (the kernel keeps 15 bytes of a process name), not '{text}'");
        return null;
    }

    /// <summary>A relative path is the config file's neighbour, as access-log paths are, so every tool reading the config agrees on it.</summary>
    private static string FromConfigDirectory(string path, ParseContext context) =>
        !Path.IsPathRooted(path) && File.Exists(context.File) && Path.GetDirectoryName(Path.GetFullPath(context.File)) is { } dir
            ? Path.GetFullPath(Path.Combine(dir, path))
            : path;
}
