using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// The `vrrp:` section: one virtual IP shared by the nodes listed, moved between them by keepalived (VRRPv3).
/// `fulcrum keepalived --node NAME` writes a node's keepalived.conf from it; `fulcrum run` keeps the state file
/// and the process name that the written config tracks (docs/ha.md).
/// </summary>
public sealed record VrrpConfig
{
    public const string DefaultStateFile = "/run/fulcrum/vrrp-state";
    public const string DefaultProcessName = "fulcrum-serving";

    /// <summary>VRRP's virtual router id, 1 to 255, the same on every node and unique on the link.</summary>
    public int VirtualRouterId { get; init; }
    /// <summary>The network interface VRRP runs on and the virtual IPs go to; a node may name its own.</summary>
    public string Interface { get; init; } = "";
    public ImmutableArray<VirtualIp> VirtualIps { get; init; } = [];
    /// <summary>How often the master advertises (VRRPv3: centiseconds, 10ms to 40.95s). Default 100ms.</summary>
    public TimeSpan AdvertInterval { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>Adverts missed before a backup takes over (keepalived's down_timer_adverts; RFC 5798 says 3).</summary>
    public int DownTimerAdverts { get; init; } = 3;
    /// <summary>True (default): a node with a higher priority takes the VIP back. False: keepalived's nopreempt.</summary>
    public bool Preempt { get; init; } = true;
    /// <summary>True: adverts go to the other nodes' addresses (unicast_peer) instead of the VRRP multicast group.</summary>
    public bool Unicast { get; init; }
    /// <summary>
    /// True: the virtual IPs also sit on every node's loopback, so a node that hands the VIP over can still answer the
    /// requests it holds. Needs arp_ignore=1 and arp_announce=2 on the interface (docs/ha.md).
    /// </summary>
    public bool LoopbackVip { get; init; }
    /// <summary>
    /// True: a TCP packet for the virtual IP that belongs to no connection this node knows goes on to the other node
    /// instead of being reset (`fulcrum keepalived --nftables` writes the rules). It saves the connections whose handshake
    /// straddles the clients' ARP update in a planned switchover. Needs `loopback-vip` and exactly two nodes.
    /// </summary>
    public bool SecondChance { get; init; }
    /// <summary>The file Fulcrum writes 0 (serving) or 1 (yielding: draining, or a pool without a usable backend) to; keepalived's track_file.</summary>
    public string StateFile { get; init; } = DefaultStateFile;
    /// <summary>The process name Fulcrum takes once every listener serves; keepalived's track_process looks for it. At most 15 bytes.</summary>
    public string ProcessName { get; init; } = DefaultProcessName;
    public ImmutableArray<VrrpNodeConfig> Nodes { get; init; } = [];
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
