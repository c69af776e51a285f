namespace Fulcrum.Core.Observability;

/// <summary>
/// How often one protection of one route made one decision for one reason (docs/protection.md, "Seeing what the
/// protections do"). A filter takes its counters when it is built, so counting a request is one interlocked add.
/// </summary>
public sealed class ProtectionCounter(string listener, string route, string protection, string decision, string reason)
{
    private long _count;

    public string Listener { get; } = listener;
    public string Route { get; } = route;
    /// <summary>`rate-limit`, `auth`, `access`, `waf`, `breaker`, `shed`.</summary>
    public string Protection { get; } = protection;
    /// <summary>`allowed`, `delayed`, `limited`, `rejected` or `detected`.</summary>
    public string Decision { get; } = decision;
    /// <summary>Why, in short kebab words (`expired`, `denied-cidr`, `max-requests`); empty when the decision says it all.</summary>
    public string Reason { get; } = reason;
    /// <summary>`protection:reason` (or `protection:decision` without a reason): the access log's `protection` field.</summary>
    public string LogText { get; } = $"{protection}:{(reason.Length > 0 ? reason : decision)}";

    public long Count => Interlocked.Read(ref _count);

    public void Increment() => Interlocked.Increment(ref _count);
}
