using Fulcrum.Core.Observability;
using Fulcrum.Core.Protection;

namespace Fulcrum.L7.Forwarding;

/// <summary>
/// One route's protection counters for a pool's breaker and shedder (docs/protection.md, "Seeing what the protections
/// do"), taken when the route is built so a request only increments them. Only the protections the pool has are
/// counted: a pool without `adaptive-concurrency` shows no `shed` counters.
/// </summary>
internal sealed class GateCounters
{
    private readonly ProtectionCounter?[] _refused = new ProtectionCounter?[Enum.GetValues<AdmissionDecision>().Length];

    public GateCounters(ProtectionStats stats, string listener, string route, bool breaker, bool shedding)
    {
        if (breaker) BreakerAllowed = stats.Counter(listener, route, AdmissionReasons.Breaker, "allowed");
        if (shedding) ShedAllowed = stats.Counter(listener, route, AdmissionReasons.Shed, "allowed");
        foreach (var reason in AdmissionReasons.Refusals)
        {
            var protection = AdmissionReasons.Protection(reason);
            if (protection == AdmissionReasons.Breaker ? !breaker : !shedding) continue;
            // A withheld retry limits the request's second chance; every other refusal rejects the request.
            var decision = reason == AdmissionDecision.MaxRetries ? "limited" : "rejected";
            _refused[(int)reason] = stats.Counter(listener, route, protection, decision, AdmissionReasons.Name(reason));
        }
    }

    public ProtectionCounter? BreakerAllowed { get; }

    public ProtectionCounter? ShedAllowed { get; }

    /// <summary>The counter of a refusal for <paramref name="reason"/>, or null when the pool had no such protection when the route was built.</summary>
    public ProtectionCounter? Refused(AdmissionDecision reason) => _refused[(int)reason];
}
