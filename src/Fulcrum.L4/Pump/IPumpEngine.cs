using Fulcrum.L4.Tcp;

namespace Fulcrum.L4.Pump;

/// <summary>
/// Moves a TCP connection's bytes both ways once it is set up (accepted, inspected, connected, preamble sent), until
/// both directions have seen their FIN or the connection is aborted. Every engine keeps the same rules: a FIN is
/// passed on and the other direction keeps flowing (half-close); bytes arriving touch the idle clock; a direction reads
/// nothing more while its last bytes wait to be sent (bounded memory); a failure on either side ends both directions
/// and blames that side; an idle connection holds no buffer.
/// </summary>
internal interface IPumpEngine
{
    /// <summary>The name the config and the start-up log use: `epoll` or `io_uring`.</summary>
    string Name { get; }

    /// <summary>
    /// Completes when both directions are done; never faults (failures go to <see cref="IPumpOwner.Abort"/>). Bare
    /// descriptors come only from the rings of an engine that relays on them.
    /// </summary>
    Task PumpAsync(IPumpOwner owner, PeerSocket client, PeerSocket backend);
}
