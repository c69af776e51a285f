namespace Fulcrum.Core.Protection;

/// <summary>The names a refusal goes by in the access log, the metrics and the admin API (docs/protection.md).</summary>
public static class AdmissionReasons
{
    public const string Breaker = "breaker";
    public const string Shed = "shed";

    /// <summary>Every refusal, in the order the docs list them.</summary>
    public static readonly AdmissionDecision[] Refusals =
    [
        AdmissionDecision.MaxConnections, AdmissionDecision.MaxPending, AdmissionDecision.MaxRequests, AdmissionDecision.MaxRetries,
        AdmissionDecision.PendingTimeout, AdmissionDecision.ConcurrencyLimit, AdmissionDecision.LowPriority,
    ];

    /// <summary>The reason, in kebab words: `max-requests`, `low-priority`.</summary>
    public static string Name(AdmissionDecision decision) => decision switch
    {
        AdmissionDecision.MaxConnections => "max-connections",
        AdmissionDecision.MaxPending => "max-pending",
        AdmissionDecision.MaxRequests => "max-requests",
        AdmissionDecision.MaxRetries => "max-retries",
        AdmissionDecision.PendingTimeout => "pending-timeout",
        AdmissionDecision.ConcurrencyLimit => "concurrency-limit",
        AdmissionDecision.LowPriority => "low-priority",
        AdmissionDecision.Abandoned => "abandoned",
        _ => "admitted",
    };

    /// <summary>`shed` for the adaptive limit's refusals, `breaker` for the thresholds'.</summary>
    public static string Protection(AdmissionDecision decision) =>
        decision is AdmissionDecision.ConcurrencyLimit or AdmissionDecision.LowPriority ? Shed : Breaker;
}
