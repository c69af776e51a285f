using System.Collections.Concurrent;

namespace Fulcrum.Core.Observability;

/// <summary>
/// Every protection decision counter of the process, by listener, route, protection, decision and reason. Counters
/// outlive reloads (a route rebuilt with the same names counts on), as <see cref="ListenerStatsTable"/>'s do, so the
/// metric never goes backwards. Read by the `fulcrum.protection.decisions` metric and `GET /api/protection`.
/// </summary>
public sealed class ProtectionStats
{
    private readonly ConcurrentDictionary<(string, string, string, string, string), ProtectionCounter> _counters = new();

    /// <summary>The counter for one decision, created on first use. Called when routes are built, never per request.</summary>
    public ProtectionCounter Counter(string listener, string route, string protection, string decision, string reason = "") =>
        _counters.GetOrAdd((listener, route, protection, decision, reason),
            static key => new ProtectionCounter(key.Item1, key.Item2, key.Item3, key.Item4, key.Item5));

    /// <summary>Every counter, in a stable order: listener, route, protection, decision, reason.</summary>
    public IReadOnlyList<ProtectionCounter> All =>
        [.. _counters.Values.OrderBy(static c => (c.Listener, c.Route, c.Protection, c.Decision, c.Reason))];
}
