using Fulcrum.Core.Observability;
using Fulcrum.Core.Protection;

namespace Fulcrum.L4.Tcp;

/// <summary>
/// One tcp listener's breaker counters for one pool (docs/protection.md): connections let through, and those closed
/// at max-connections or max-pending. A tcp listener has no routes, so its counters have an empty route.
/// </summary>
internal sealed class TcpGateCounters(ProtectionStats stats, string listener)
{
    public ProtectionCounter Allowed { get; } = stats.Counter(listener, "", AdmissionReasons.Breaker, "allowed");

    public ProtectionCounter MaxConnections { get; } =
        stats.Counter(listener, "", AdmissionReasons.Breaker, "rejected", AdmissionReasons.Name(AdmissionDecision.MaxConnections));

    public ProtectionCounter MaxPending { get; } =
        stats.Counter(listener, "", AdmissionReasons.Breaker, "rejected", AdmissionReasons.Name(AdmissionDecision.MaxPending));

    public ProtectionCounter For(AdmissionDecision refusal) => refusal == AdmissionDecision.MaxPending ? MaxPending : MaxConnections;
}
