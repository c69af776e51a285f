using Fulcrum.Core.Handover;

namespace Fulcrum.Takeover;

/// <summary>
/// One step of the takeover dialogue on the Unix socket (docs/ha.md, "Zero-downtime upgrade"), as JSON:
/// <c>hello</c> (new to old), <c>offer</c> (old to new: the listening sockets, whose descriptors travel with it, and the
/// runtime state), <c>ready</c> (new to old: every listener serves), <c>draining</c> (old to new: it stopped accepting),
/// or <c>refused</c> (old to new, with a reason).
/// </summary>
internal sealed record TakeoverMessage
{
    public const string Hello = "hello";
    public const string Offer = "offer";
    public const string Ready = "ready";
    public const string Draining = "draining";
    public const string Refused = "refused";

    public required string Kind { get; init; }
    /// <summary>The sender's process id, for the logs.</summary>
    public int Pid { get; init; }
    /// <summary>The sender's version, for the logs.</summary>
    public string? Version { get; init; }
    /// <summary>offer: one entry per descriptor, in the order they were attached.</summary>
    public List<OfferedSocket>? Sockets { get; init; }
    public RuntimeState? State { get; init; }
    public string? Reason { get; init; }
}
