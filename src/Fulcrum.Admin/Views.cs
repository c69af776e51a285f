using Fulcrum.Admin.Json;
using Fulcrum.Core.Model;

namespace Fulcrum.Admin;

/// <summary>Builds the API's views from the live model: one read of each counter, no locks.</summary>
internal static class Views
{
    public static PoolView Of(Pool pool, IReadOnlyList<Backend> retiring)
    {
        var backends = new List<BackendView>(pool.Backends.Length + retiring.Count);
        var usable = 0;
        foreach (var b in pool.Backends)
        {
            if (b.IsUsable) usable++;
            backends.Add(Of(b));
        }

        foreach (var b in retiring) backends.Add(Of(b));
        return new PoolView(pool.Name, pool.Config.Algorithm, pool.InPanic, pool.Config.Health.PanicThreshold,
            usable, pool.Backends.Length, backends);
    }

    public static BackendView Of(Backend b)
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
            drain);
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
