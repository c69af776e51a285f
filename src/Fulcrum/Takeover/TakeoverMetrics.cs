using System.Diagnostics.Metrics;
using Fulcrum.Core.Model;

namespace Fulcrum.Takeover;

/// <summary>
/// What this process took over from the one before it (docs/metrics.md, "Takeover"): zeros when it bound its own
/// sockets, so a dashboard can tell an upgrade that carried its state from a cold start.
/// </summary>
internal static class TakeoverMetrics
{
    public static void AddTo(Meter meter, InheritedSockets? inherited, TopologyStore store)
    {
        meter.CreateObservableGauge("fulcrum.takeover.sockets", () => Sockets(inherited), null,
            "listening sockets received from the process this one took over from: adopted by a listener or the admin API, or closed (not in this config)");
        meter.CreateObservableGauge("fulcrum.takeover.backends_restored", () => (long)store.RestoredBackends, null,
            "backends whose operator intent and health came from the process this one took over from");
    }

    private static Measurement<long>[] Sockets(InheritedSockets? inherited)
    {
        var adopted = inherited?.Claimed ?? 0;
        var closed = (inherited?.Count ?? 0) - adopted;
        return
        [
            new(adopted, new KeyValuePair<string, object?>("outcome", "adopted")),
            new(closed, new KeyValuePair<string, object?>("outcome", "closed")),
        ];
    }
}
