namespace Fulcrum.Takeover;

/// <summary>What one handed-over descriptor is: whose listening socket, configured where, bound where.</summary>
internal sealed record OfferedSocket
{
    /// <summary>The admin API's socket has this kind (and no listener).</summary>
    public const string AdminKind = "admin";

    /// <summary>The listener's name; empty for the admin API.</summary>
    public string Listener { get; init; } = "";
    /// <summary>http, https, tcp, udp, dns (a dns listener's tcp socket), dns-udp (its udp socket) or admin.</summary>
    public required string Kind { get; init; }
    /// <summary>The bind as configured, e.g. 127.0.0.1:0.</summary>
    public required string Bind { get; init; }
    /// <summary>The address it is bound to, e.g. 127.0.0.1:40123.</summary>
    public required string Address { get; init; }

    /// <summary>A dns listener's udp socket has this kind; its tcp socket has the listener's, dns.</summary>
    public const string DnsDatagramKind = "dns-udp";

    public bool IsDatagram => Kind is "udp" or DnsDatagramKind;
}
