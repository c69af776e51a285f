namespace Fulcrum.Bench.Ha;

/// <summary>How the lab is built: what the nodes' `vrrp:` section says, and how the client loads the virtual IP.</summary>
public sealed record HaLabOptions
{
    /// <summary>The built fulcrum.dll both nodes run.</summary>
    public required string FulcrumDll { get; init; }

    /// <summary>Configs and logs go here (kept for reading after a run).</summary>
    public required string Directory { get; init; }

    public bool Preempt { get; init; } = true;

    public bool Unicast { get; init; } = true;

    public bool LoopbackVip { get; init; } = true;

    /// <summary>`second-chance: true`: each node loads the nftables rules `fulcrum keepalived --nftables` writes (needs LoopbackVip).</summary>
    public bool SecondChance { get; init; } = true;

    public TimeSpan AdvertInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan AcceptGrace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Client workers, each with one request in flight.</summary>
    public int Workers { get; init; } = 4;

    /// <summary>A request not answered in this time counts as failed; it also bounds how late a worker sees a takeover.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A worker's pause after a successful request (the load: about Workers / Pause requests a second at most).</summary>
    public TimeSpan Pause { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>For starting processes and waiting for the VIP on a busy machine.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
