using System.Globalization;
using System.Text;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Vrrp;

/// <summary>
/// Writes one node's keepalived.conf from the `vrrp:` section. keepalived follows Fulcrum's own state through two
/// trackers that cost no fork and no polling: track_process (the kernel's process events) on the name Fulcrum takes
/// once it serves, and track_file (inotify) on the state file Fulcrum rewrites the moment it drains or loses a pool.
/// A vrrp_script, the usual way, forks a checker at most once a second (its interval is whole seconds) and needs
/// `fall` failures in a row, so it notices a dead or draining Fulcrum seconds late. docs/ha.md explains each line.
/// </summary>
public static class KeepalivedConf
{
    public const string ProcessTracker = "fulcrum_serving";
    public const string FileTracker = "fulcrum_state";

    /// <param name="vrrp">The section, validated.</param>
    /// <param name="node">This machine's node, one of <paramref name="vrrp"/>'s.</param>
    /// <param name="configPath">The Fulcrum config it came from, named in the header.</param>
    public static string Write(VrrpConfig vrrp, VrrpNodeConfig node, string configPath)
    {
        var text = new StringBuilder();
        var iface = node.Interface ?? vrrp.Interface;
        Line(text, $"# keepalived.conf for vrrp node {node.Name}, written by `fulcrum keepalived` from {configPath}.");
        Line(text, "# Write it again after changing the vrrp section instead of editing it (docs/ha.md).");
        if (vrrp.LoopbackVip)
        {
            Line(text, "# loopback-vip: this node needs `sysctl -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2`,");
            Line(text, "# or every node would answer ARP for the virtual IP.");
        }

        Line(text, "");
        Line(text, "global_defs {");
        Line(text, $"    router_id fulcrum-{node.Name}");
        Line(text, "    vrrp_version 3");
        Line(text, "    # Real-time scheduling once the VRRP process runs a whole advert late: a starved master looks dead.");
        Line(text, "    max_auto_priority");
        Line(text, $"    min_auto_priority_delay {(long)vrrp.AdvertInterval.TotalMicroseconds}");
        Line(text, "}");
        Line(text, "");
        Line(text, "# Fulcrum takes this name once every listener serves; the kernel tells keepalived when it does and when the");
        Line(text, "# process ends. Missing: FAULT, the virtual IP goes to another node.");
        Line(text, $"vrrp_track_process {ProcessTracker} {{");
        Line(text, $"    process {vrrp.ProcessName}");
        Line(text, "    weight 0");
        Line(text, "}");
        Line(text, "");
        Line(text, "# Fulcrum writes 1 here the moment it drains, or while a pool has no backend up; 0 while it serves.");
        Line(text, vrrp.Preempt
            ? "# 1 lowers this node below every node that serves (the weight is the priorities' span plus one)."
            : "# 1 is FAULT: without preemption a lower priority would not move the virtual IP.");
        Line(text, $"track_file {FileTracker} {{");
        Line(text, $"    file \"{vrrp.StateFile}\"");
        Line(text, $"    weight {YieldWeight(vrrp)}");
        Line(text, "}");
        if (vrrp.LoopbackVip)
        {
            Line(text, "");
            Line(text, "# The virtual IPs stay on loopback on every node, so a node that hands them over still answers what it holds.");
            Line(text, "static_ipaddress {");
            foreach (var vip in vrrp.VirtualIps) Line(text, $"    {vip.Address}/32 dev lo");
            Line(text, "}");
        }

        Line(text, "");
        Line(text, $"vrrp_instance fulcrum_{vrrp.VirtualRouterId} {{");
        // BACKUP everywhere: the priorities decide, and nopreempt needs it.
        Line(text, "    state BACKUP");
        Line(text, $"    interface {iface}");
        Line(text, $"    virtual_router_id {vrrp.VirtualRouterId}");
        Line(text, $"    priority {node.Priority}");
        Line(text, $"    advert_int {vrrp.AdvertInterval.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture)}");
        Line(text, $"    down_timer_adverts {vrrp.DownTimerAdverts}");
        if (!vrrp.Preempt) Line(text, "    nopreempt");
        if (vrrp.Unicast)
        {
            Line(text, $"    unicast_src_ip {node.Address}");
            Line(text, "    unicast_peer {");
            foreach (var peer in vrrp.Nodes)
            {
                if (!ReferenceEquals(peer, node)) Line(text, $"        {peer.Address}");
            }

            Line(text, "    }");
        }

        Line(text, "    virtual_ipaddress {");
        foreach (var vip in vrrp.VirtualIps) Line(text, $"        {vip}");
        Line(text, "    }");
        Line(text, "    track_process {");
        Line(text, $"        {ProcessTracker}");
        Line(text, "    }");
        Line(text, "    track_file {");
        Line(text, $"        {FileTracker}");
        Line(text, "    }");
        Line(text, "}");
        return text.ToString();
    }

    /// <summary>
    /// Preempting: minus (highest priority - lowest priority + 1), so a yielding node falls below every node that
    /// serves and yielding nodes keep their order; at most 253, since keepalived reads less than -253 as FAULT.
    /// Not preempting: 0, which makes any value but 0 a FAULT.
    /// </summary>
    public static int YieldWeight(VrrpConfig vrrp)
    {
        if (!vrrp.Preempt) return 0;
        var span = vrrp.Nodes.Max(n => n.Priority) - vrrp.Nodes.Min(n => n.Priority) + 1;
        return -Math.Min(253, span);
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');
}
