using Fulcrum.Admin.Json;
using System.Collections.Immutable;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Discovery;
using Fulcrum.Core.Model;
using Fulcrum.Core.Protection;

namespace Fulcrum.Admin;

/// <summary>Builds the API's views from the live model: one read of each counter, no locks.</summary>
internal static class Views
{
    public static PoolView Of(Pool pool, IReadOnlyList<Backend> retiring, ImmutableArray<DiscoveryStatus> discovery = default)
    {
        var backends = new List<BackendView>(pool.Backends.Length + retiring.Count);
        var usable = 0;
        foreach (var b in pool.Backends)
        {
            if (b.IsUsable) usable++;
            backends.Add(Of(b, pool.Services.Time));
        }

        foreach (var b in retiring) backends.Add(Of(b, pool.Services.Time));
        return new PoolView(pool.Name, pool.Config.Algorithm, pool.InPanic, pool.Config.Health.PanicThreshold,
            usable, pool.Backends.Length, backends, BreakerOf(pool.Admission), ConcurrencyOf(pool.Admission), DiscoveryOf(discovery));
    }

    private static List<DiscoveryView>? DiscoveryOf(ImmutableArray<DiscoveryStatus> sources)
    {
        if (sources.IsDefaultOrEmpty) return null;
        var views = new List<DiscoveryView>(sources.Length);
        foreach (var source in sources)
        {
            var s = source.Read();
            views.Add(new DiscoveryView(s.Source, s.State, s.Backends, s.LastSuccess, s.LastFailure, s.LastError, s.NextLookup));
        }

        return views;
    }

    private static readonly AdmissionDecision[] Thresholds =
        [AdmissionDecision.MaxConnections, AdmissionDecision.MaxPending, AdmissionDecision.MaxRequests, AdmissionDecision.MaxRetries];

    private static CircuitBreakerView? BreakerOf(PoolAdmission? admission)
    {
        if (admission?.Breaker is not { } b) return null;
        var open = new List<string>();
        foreach (var threshold in Thresholds)
        {
            if (admission.IsOpen(threshold)) open.Add(AdmissionReasons.Name(threshold));
        }

        var rejected = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var reason in AdmissionReasons.Refusals)
        {
            if (AdmissionReasons.Protection(reason) == AdmissionReasons.Breaker) rejected[AdmissionReasons.Name(reason)] = admission.Refused(reason);
        }

        return new CircuitBreakerView(open.Count == 0 ? "closed" : "open", open, b.MaxConnections, b.MaxPending, b.MaxRequests, b.MaxRetries,
            admission.Connections, admission.Pending, admission.Requests, admission.Retries, rejected);
    }

    private static AdaptiveConcurrencyView? ConcurrencyOf(PoolAdmission? admission)
    {
        if (admission?.Concurrency is not { } limit) return null;
        var allowed = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["high"] = limit.Allowed(RequestPriority.High),
            ["normal"] = limit.Allowed(RequestPriority.Normal),
            ["low"] = limit.Allowed(RequestPriority.Low),
        };
        var shed = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [AdmissionReasons.Name(AdmissionDecision.ConcurrencyLimit)] = admission.Refused(AdmissionDecision.ConcurrencyLimit),
            [AdmissionReasons.Name(AdmissionDecision.LowPriority)] = admission.Refused(AdmissionDecision.LowPriority),
        };
        return new AdaptiveConcurrencyView(limit.Limit, admission.Limited, allowed, limit.Measuring,
            Math.Round(limit.MinRtt.TotalMilliseconds, 3), Math.Round(limit.SampleRtt.TotalMilliseconds, 3), Math.Round(limit.Gradient, 3), shed);
    }

    public static BackendView Of(Backend b, TimeProvider time)
    {
        var health = b.HealthDetail;
        var drain = b.Intent == OperatorIntent.Draining && b.Drain is { } d
            ? new DrainView(b.Stats.Active, Seconds(d.TimeLeft), d.IsDrained, d.TimedOut, d.Removing)
            : null;
        return new BackendView(
            b.Id,
            b.Address,
            Name(b.State),
            b.Health == HealthStatus.Up ? "up" : "down",
            health.DownReason,
            health.LastProbe,
            b.IsBackup,
            b.Weight,
            b.EffectiveWeight,
            b.InSlowStart,
            b.Stats.Active,
            b.Stats.Total,
            b.Stats.Failures,
            health.ConsecutiveFailures,
            Math.Round(b.Stats.EwmaLatency.TotalMilliseconds, 3),
            health.IsEjected,
            Seconds(health.EjectionLeft),
            health.Ejections,
            drain,
            Reports(b, time));
    }

    private static ReportsView? Reports(Backend b, TimeProvider time)
    {
        var r = b.Reports;
        var stamp = r.LoadStamp;
        if (stamp == 0 && r.WeightPercent == 100 && r.Admin == AgentAdmin.Ready && !r.AgentDown) return null;
        var agent = r.Admin switch
        {
            AgentAdmin.Drain => "drain",
            AgentAdmin.Maintenance => "maint",
            _ => "ready",
        };
        return new ReportsView(r.WeightPercent, agent, r.AgentDown,
            stamp == 0 ? null : Math.Round(r.Utilization, 4),
            stamp == 0 ? null : Math.Round(time.GetElapsedTime(stamp).TotalSeconds, 3));
    }

    public static string Name(BackendState state) => state switch
    {
        BackendState.Up => "up",
        BackendState.Down => "down",
        BackendState.Draining => "draining",
        BackendState.Maintenance => "maintenance",
        _ => "backup",
    };

    private static double Seconds(TimeSpan t) => Math.Round(t.TotalSeconds, 3);
}
