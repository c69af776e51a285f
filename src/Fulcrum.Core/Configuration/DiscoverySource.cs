namespace Fulcrum.Core.Configuration;

/// <summary>
/// One entry of a pool's `backends` that names a source of backends instead of one backend: `dns:`, `srv:` or
/// `file:`. The parser moves it from the pool's backends to <see cref="PoolConfig.Sources"/>; the backends it finds
/// join the pool at run time through the runtime overlay, like the admin API's additions.
/// </summary>
public sealed record DiscoverySource
{
    public required DiscoveryKind Kind { get; init; }
    /// <summary>The host name (dns), the SRV name (srv) or the path as written (file).</summary>
    public required string Target { get; init; }
    /// <summary>dns: the port every address gets (default 80, 443 in a pool that re-encrypts).</summary>
    public int Port { get; init; }
    /// <summary>The weight of each backend found (dns and file lines without one); srv records carry their own.</summary>
    public int Weight { get; init; } = 1;
    /// <summary>Every backend found is a backup (srv: records of a priority after the lowest are backups anyway).</summary>
    public bool Backup { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary>As the file writes it, and as the admin API and the logs name it.</summary>
    public string Text => Kind switch
    {
        DiscoveryKind.Dns => $"dns:{Target}:{Port}",
        DiscoveryKind.Srv => $"srv:{Target}",
        _ => $"file:{Target}",
    };
}
