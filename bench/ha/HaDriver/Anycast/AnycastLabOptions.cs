namespace Fulcrum.Bench.Ha.Anycast;

/// <summary>How the anycast lab is built and loaded.</summary>
public sealed record AnycastLabOptions
{
    /// <summary>The built fulcrum.dll the nodes and their hooks run.</summary>
    public required string FulcrumDll { get; init; }

    /// <summary>Configs and logs go here.</summary>
    public required string Directory { get; init; }

    /// <summary>How often `fulcrum anycast` asks /healthz (it withdraws after two bad answers).</summary>
    public TimeSpan HookInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long one /healthz may take (`--timeout`). Not the default half interval (50 ms here): on a busy 2-core machine
    /// a healthy node answered two checks in a row later than that and its hook withdrew it. A killed or draining Fulcrum
    /// is still seen at once (refused, or 503), so the kill and drain figures do not move.
    /// </summary>
    public TimeSpan HookTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>BFD's transmit and receive interval on both sides; a session is down after <see cref="BfdMultiplier"/> missed (RFC 5880).</summary>
    public TimeSpan BfdInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Missed intervals before BFD calls a session down. Five, not the three of docs/gslb.md's example: on a busy 2-core
    /// machine BIRD once went 300 ms without a BFD packet from a healthy node, the router dropped its BGP session, and
    /// the anycast address had no route at all for 4.5 s until the session was up again.
    /// </summary>
    public int BfdMultiplier { get; init; } = 5;

    public TimeSpan AcceptGrace { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Client workers, each with one request (and so one new connection) in flight.</summary>
    public int Workers { get; init; } = 4;

    /// <summary>A request not answered in this time counts as failed.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A worker's pause after a successful request.</summary>
    public TimeSpan Pause { get; init; } = TimeSpan.FromMilliseconds(10);

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
