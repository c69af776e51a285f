using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Fulcrum.Core.Observability;

namespace Fulcrum.Admin.Metrics;

/// <summary>
/// Writes the "Fulcrum" meter in the Prometheus text exposition format 0.0.4
/// (prometheus.io/docs/instrumenting/exposition_formats). A <see cref="MeterListener"/> enables the meter's
/// observable instruments and, on each scrape, asks them for their values; nothing is aggregated between
/// scrapes because every instrument reads live counters. Names: `.` becomes `_`, counters end in `_total`.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private readonly FulcrumMetrics _metrics;
    private readonly MeterListener _listener;
    private readonly List<Instrument> _instruments = [];
    private readonly object _scrapeLock = new();
    private readonly Dictionary<Instrument, List<(double Value, string Labels)>> _values = [];

    public PrometheusExporter(FulcrumMetrics metrics)
    {
        _metrics = metrics;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (!ReferenceEquals(instrument.Meter, _metrics.Meter)) return;
                lock (_instruments) _instruments.Add(instrument);
                listener.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Collect(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Collect(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Collect(i, v, tags));
        _listener.Start();
    }

    public string Write()
    {
        lock (_scrapeLock)
        {
            foreach (var list in _values.Values) list.Clear();
            _listener.RecordObservableInstruments();
            var sb = new StringBuilder(16 * 1024);
            Instrument[] instruments;
            lock (_instruments) instruments = [.. _instruments];
            foreach (var instrument in instruments)
            {
                var counter = instrument.GetType().Name.StartsWith("ObservableCounter", StringComparison.Ordinal);
                var name = instrument.Name.Replace('.', '_') + (counter ? "_total" : "");
                Header(sb, name, counter ? "counter" : "gauge", instrument.Description ?? name);
                if (!_values.TryGetValue(instrument, out var values)) continue;
                foreach (var (value, labels) in values)
                {
                    sb.Append(name).Append(labels).Append(' ').Append(Number(value)).Append('\n');
                }
            }

            WriteLatency(sb);
            return sb.ToString();
        }
    }

    private void Collect(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (!_values.TryGetValue(instrument, out var list)) _values[instrument] = list = [];
        list.Add((value, Labels(tags)));
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0) return "";
        var sb = new StringBuilder("{");
        for (var i = 0; i < tags.Length; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(tags[i].Key.Replace('.', '_')).Append("=\"");
            Escape(sb, Convert.ToString(tags[i].Value, CultureInfo.InvariantCulture) ?? "");
            sb.Append('"');
        }

        return sb.Append('}').ToString();
    }

    // The histograms, as cumulative buckets from the per-bucket counts.
    private void WriteLatency(StringBuilder sb)
    {
        const string Backend = "fulcrum_backend_request_duration_seconds";
        Header(sb, Backend, "histogram", "time from taking a backend to releasing it (L7: the whole exchange; tcp: the connection's life)");
        foreach (var pool in _metrics.Store.Current.Pools.Values)
        {
            foreach (var backend in pool.Backends) WriteHistogram(sb, Backend, "pool", pool.Name, "backend", backend.Id, backend.Stats.Latency);
        }

        const string Route = "fulcrum_route_request_duration_seconds";
        Header(sb, Route, "histogram", "time from an http request's arrival to the end of its answer, by route");
        foreach (var route in _metrics.Store.Routes.All) WriteHistogram(sb, Route, "listener", route.Listener, "route", route.Route, route.Latency);
    }

    private static void WriteHistogram(StringBuilder sb, string name, string key1, string value1, string key2, string value2, LatencyHistogram histogram)
    {
        Span<long> counts = stackalloc long[LatencyHistogram.BoundsSeconds.Length + 1];
        histogram.CopyTo(counts);
        var sum = histogram.SumSeconds;
        var labels = new StringBuilder(key1).Append("=\"");
        Escape(labels, value1);
        labels.Append("\",").Append(key2).Append("=\"");
        Escape(labels, value2);
        labels.Append('"');
        long cumulative = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            cumulative += counts[i];
            var le = i < LatencyHistogram.BoundsSeconds.Length ? Number(LatencyHistogram.BoundsSeconds[i]) : "+Inf";
            sb.Append(name).Append("_bucket{").Append(labels).Append(",le=\"").Append(le).Append("\"} ").Append(cumulative).Append('\n');
        }

        sb.Append(name).Append("_sum{").Append(labels).Append("} ").Append(Number(sum)).Append('\n');
        sb.Append(name).Append("_count{").Append(labels).Append("} ").Append(cumulative).Append('\n');
    }

    private static void Header(StringBuilder sb, string name, string type, string help)
    {
        sb.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        sb.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static void Escape(StringBuilder sb, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                default: sb.Append(c); break;
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
