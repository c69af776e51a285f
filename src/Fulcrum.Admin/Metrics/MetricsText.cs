using System.Globalization;
using System.Text;
using Fulcrum.Core.Model;

namespace Fulcrum.Admin.Metrics;

/// <summary>
/// A minimal Prometheus text exposition (format 0.0.4) of the pool and backend counters, used for GET /metrics
/// until the host supplies a fuller exporter through <see cref="AdminOptions.Metrics"/>.
/// </summary>
internal static class MetricsText
{
    public static string Write(Topology topology)
    {
        var sb = new StringBuilder();
        Header(sb, "fulcrum_pool_panic", "gauge", "1 while the pool is in panic mode");
        foreach (var pool in topology.Pools.Values)
        {
            sb.Append("fulcrum_pool_panic{pool=\"").Append(Escape(pool.Name)).Append("\"} ").Append(pool.InPanic ? 1 : 0).Append('\n');
        }

        Backend(sb, topology, "fulcrum_backend_up", "gauge", "1 when the backend may take new work", b => b.IsUsable ? 1 : 0);
        Backend(sb, topology, "fulcrum_backend_active", "gauge", "work in flight", b => b.Stats.Active);
        Backend(sb, topology, "fulcrum_backend_requests_total", "counter", "work finished", b => b.Stats.Total);
        Backend(sb, topology, "fulcrum_backend_failures_total", "counter", "work that failed on the backend", b => b.Stats.Failures);
        Backend(sb, topology, "fulcrum_backend_effective_weight", "gauge", "weight after slow start", b => b.EffectiveWeight);
        return sb.ToString();
    }

    private static void Backend(StringBuilder sb, Topology topology, string name, string type, string help, Func<Backend, long> value)
    {
        Header(sb, name, type, help);
        foreach (var pool in topology.Pools.Values)
        {
            foreach (var b in pool.Backends)
            {
                sb.Append(name).Append("{pool=\"").Append(Escape(pool.Name)).Append("\",backend=\"").Append(Escape(b.Id)).Append("\"} ")
                    .Append(value(b).ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
    }

    private static void Header(StringBuilder sb, string name, string type, string help) =>
        sb.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static string Escape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
