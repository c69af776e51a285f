namespace Fulcrum.Core.Handover;

/// <summary>
/// What a new process should not have to relearn when it takes over from a running one (docs/ha.md, "Zero-downtime
/// upgrade"): each pool's runtime overlay (backends added, removed or reweighted through the admin API) and each
/// backend's operator intent and health state (active rise/fall, passive ejection). Times are durations left, not
/// timestamps: two processes' monotonic clocks share no origin.
/// </summary>
public sealed record RuntimeState
{
    public List<PoolRuntimeState> Pools { get; init; } = [];
}
