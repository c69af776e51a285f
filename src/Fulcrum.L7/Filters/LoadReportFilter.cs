using System.Collections.Frozen;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Filters;

/// <summary>
/// Reads the load a backend reports in its answer (its pool's `load-header`, ORCA style) into
/// <see cref="Core.Model.Backend.Reports"/>, where `weighted-by-load` finds it, and removes the header: it is a
/// message to the balancer, not to the client.
/// </summary>
internal sealed class LoadReportFilter(FrozenDictionary<string, string> headerByPool, TimeProvider time) : HttpFilter
{
    public override FilterHooks Hooks => FilterHooks.ResponseHead;

    public override void OnResponseHead(HttpExchange exchange)
    {
        if (exchange.Record.Pool is not { } pool || !headerByPool.TryGetValue(pool, out var header)) return;
        var headers = exchange.ResponseHeaders;
        if (!headers.TryGetValue(header, out var values)) return;
        headers.Remove(header);
        if (exchange.Backend is { } backend && OrcaLoadReport.TryParse(values.ToString(), out var report))
        {
            backend.Reports.ReportLoad(report.Utilization, report.RequestsPerSecond, time.GetTimestamp());
        }
    }
}
