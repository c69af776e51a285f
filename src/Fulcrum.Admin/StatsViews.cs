using System.Diagnostics;
using Fulcrum.Admin.Json;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Fulcrum.Core.Observability;

namespace Fulcrum.Admin;

/// <summary>Builds GET /api/stats from the live model: one read of each counter, no locks.</summary>
internal static class StatsViews
{
    private static readonly long StartedAt = Stopwatch.GetTimestamp();

    public static StatsView Of(TopologyStore store, AdminOptions options)
    {
        var topology = store.Current;
        var bound = options.ListenerEndpoints?.Invoke();
        var listeners = new List<ListenerStatsView>();
        foreach (var l in topology.Config.Listeners)
        {
            var stats = store.Listeners.For(l.Name);
            listeners.Add(new ListenerStatsView(
                l.Name, Protocol(l.Protocol), bound is not null && bound.TryGetValue(l.Name, out var at) ? at.ToString() : l.Bind.ToString(), Routes(l),
                stats.ActiveConnections, stats.Connections, stats.Requests, stats.BytesReceived, stats.BytesSent));
        }

        var pools = new List<PoolStatsView>();
        foreach (var pool in topology.Pools.Values)
        {
            var backends = new List<BackendStatsView>(pool.Backends.Length);
            foreach (var b in pool.Backends) backends.Add(Of(b));
            pools.Add(new PoolStatsView(pool.Name, pool.Config.Algorithm, pool.InPanic, backends));
        }

        pools.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new StatsView(topology.Generation, Stopwatch.GetElapsedTime(StartedAt).TotalSeconds,
            LatencyHistogram.BoundsSeconds, listeners, pools);
    }

    private static BackendStatsView Of(Backend b)
    {
        var s = b.Stats;
        var buckets = new long[s.Latency.BucketCount];
        s.Latency.CopyTo(buckets);
        long[] classes = [s.StatusClass(1), s.StatusClass(2), s.StatusClass(3), s.StatusClass(4), s.StatusClass(5)];
        return new BackendStatsView(b.Id, b.Address, Views.Name(b.State), b.Health == HealthStatus.Up ? "up" : "down", b.IsBackup,
            b.Weight, b.EffectiveWeight, s.Active, s.Total, s.Failures, classes, buckets);
    }

    private static List<RouteStatsView> Routes(ListenerConfig listener)
    {
        var routes = new List<RouteStatsView>();
        if (listener.Pool is { } single) routes.Add(new RouteStatsView("(all)", single));
        foreach (var sni in listener.Sni) routes.Add(new RouteStatsView("sni " + sni.ServerName, sni.Pool));
        for (var i = 0; i < listener.Routes.Length; i++)
        {
            var r = listener.Routes[i];
            var target = r.Pool
                ?? (r.Split.IsDefaultOrEmpty ? null : string.Join(" / ", r.Split.Select(t => $"{t.Pool} {t.Weight}")))
                ?? (r.Redirect is not null ? "redirect" : r.Respond is not null ? "fixed response" : "-");
            routes.Add(new RouteStatsView(r.Name ?? $"{listener.Name}#{i + 1}", target));
        }

        return routes;
    }

    private static string Protocol(ListenerProtocol p) => p switch
    {
        ListenerProtocol.Https => "https",
        ListenerProtocol.Tcp => "tcp",
        ListenerProtocol.Udp => "udp",
        ListenerProtocol.Dns => "dns",
        _ => "http",
    };
}
