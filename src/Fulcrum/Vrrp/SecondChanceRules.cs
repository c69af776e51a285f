using System.Text;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Vrrp;

/// <summary>
/// Writes one node's nftables ruleset for `second-chance: true`. When the virtual IP moves, a client whose TCP
/// handshake reached the old node but whose next packet reaches the new one would be reset by the new node, which has
/// never heard of the connection. With these rules the new node hands such a packet to the other node, which still
/// holds the connection (and the virtual IP on loopback), instead of resetting it. The idea is GitHub's GLB Director's
/// "second chance" and Beamer's daisy chaining (NSDI 2018): a packet that matches no local connection goes to the
/// previous owner. Stateless: no connection table is shared, and the rules do nothing until a packet is stray.
/// </summary>
public static class SecondChanceRules
{
    public const string Table = "fulcrum_second_chance";

    /// <summary>
    /// DSCP class selector 1 marks a handed-over packet, so the node it reaches delivers it (or resets it) and never hands
    /// it back: two nodes that both lack the connection do not bounce it between them.
    /// </summary>
    public const string HandedOverMark = "cs1";

    /// <param name="vrrp">The section, validated with `second-chance: true` (two nodes, each with an address).</param>
    /// <param name="node">This machine's node.</param>
    /// <param name="configPath">The Fulcrum config it came from, named in the header.</param>
    public static string Write(VrrpConfig vrrp, VrrpNodeConfig node, string configPath)
    {
        var peer = vrrp.Nodes.Single(n => !ReferenceEquals(n, node));
        var iface = node.Interface ?? vrrp.Interface;
        var vips = string.Join(", ", vrrp.VirtualIps.Select(v => v.Address.ToString()));
        var text = new StringBuilder();
        Line(text, $"#!/usr/sbin/nft -f");
        Line(text, $"# nftables rules for vrrp node {node.Name} (second-chance), written by `fulcrum keepalived --nftables` from {configPath}.");
        Line(text, "# Load with `nft -f` at boot, before fulcrum starts (docs/ha.md). Loading again replaces the table.");
        Line(text, "");
        Line(text, $"table ip {Table} {{}}");
        Line(text, $"delete table ip {Table}");
        Line(text, "");
        Line(text, $"table ip {Table} {{");
        Line(text, "    chain prerouting {");
        // After conntrack (-200), so the connection's state is known.
        Line(text, "        type filter hook prerouting priority mangle; policy accept;");
        Line(text, "        # Connections this node knows: its own (conntrack), and any opened before these rules were loaded (a socket");
        Line(text, "        # bound to a specific address; a listener on 0.0.0.0 is a wildcard socket and does not count).");
        Line(text, "        ct state established,related accept");
        Line(text, "        socket wildcard 0 accept");
        Line(text, $"        # Anything else for the virtual IP that is not a SYN belongs to a connection of node {peer.Name}: hand it over,");
        Line(text, $"        # marked {HandedOverMark} so that node never hands it back.");
        Line(text, $"        iifname \"{iface}\" ip daddr {{ {vips} }} tcp flags & syn == 0 ip dscp != {HandedOverMark} ip dscp set {HandedOverMark} dup to {peer.Address} device \"{iface}\" drop");
        Line(text, "    }");
        Line(text, "}");
        return text.ToString();
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');
}
