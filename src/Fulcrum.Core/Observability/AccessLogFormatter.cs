using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Fulcrum.Core.Observability;

/// <summary>Turns entries into UTF-8 lines: JSON objects (the default) or a `{field}` template.</summary>
internal sealed class AccessLogFormatter
{
    private readonly (string? Literal, string? Field)[]? _template;
    private readonly StringBuilder _line = new(256);
    private Utf8JsonWriter? _json;

    public AccessLogFormatter(string format)
    {
        if (string.Equals(format, "json", StringComparison.OrdinalIgnoreCase)) return;
        var parts = new List<(string?, string?)>();
        var at = 0;
        while (at < format.Length)
        {
            var open = format.IndexOf('{', at);
            var close = open < 0 ? -1 : format.IndexOf('}', open);
            if (open < 0 || close < 0)
            {
                parts.Add((format[at..], null));
                break;
            }

            if (open > at) parts.Add((format[at..open], null));
            parts.Add((null, format[(open + 1)..close]));
            at = close + 1;
        }

        _template = [.. parts];
    }

    public void Append(in AccessLogEntry e, ArrayBufferWriter<byte> output)
    {
        if (_template is null) AppendJson(e, output);
        else AppendTemplate(e, output);
        output.Write("\n"u8);
    }

    private void AppendJson(in AccessLogEntry e, ArrayBufferWriter<byte> output)
    {
        if (_json is null) _json = new Utf8JsonWriter(output);
        else _json.Reset(output);
        var w = _json;
        w.WriteStartObject();
        w.WriteString("time", e.Time);
        w.WriteString("listener", e.Listener);
        w.WriteString("protocol", e.Protocol);
        w.WriteString("client", e.Client);
        if (e.Method is not null) w.WriteString("method", e.Method);
        if (e.Path is not null) w.WriteString("path", e.Path);
        if (e.Route is not null) w.WriteString("route", e.Route);
        w.WriteString("pool", e.Pool);
        w.WriteString("backend", e.Backend);
        if (e.Status != 0) w.WriteNumber("status", e.Status);
        w.WriteNumber("bytes_in", e.BytesIn);
        w.WriteNumber("bytes_out", e.BytesOut);
        Ms(w, "wait_ms", e.WaitMs);
        Ms(w, "connect_ms", e.ConnectMs);
        Ms(w, "first_byte_ms", e.FirstByteMs);
        Ms(w, "total_ms", e.TotalMs);
        if (e.RequestId is not null) w.WriteString("request_id", e.RequestId);
        if (e.TlsVersion is not null) w.WriteString("tls_version", e.TlsVersion);
        w.WriteBoolean("affinity_hit", e.AffinityHit);
        if (e.Outcome is not null) w.WriteString("outcome", e.Outcome);
        if (e.TraceId is not null) w.WriteString("trace_id", e.TraceId);
        w.WriteEndObject();
        w.Flush();
    }

    private static void Ms(Utf8JsonWriter w, string name, double ms)
    {
        if (ms < 0) w.WriteNull(name);
        else w.WriteNumber(name, Math.Round(ms, 3));
    }

    private void AppendTemplate(in AccessLogEntry e, ArrayBufferWriter<byte> output)
    {
        var sb = _line.Clear();
        foreach (var (literal, field) in _template!)
        {
            if (literal is not null) sb.Append(literal);
            else sb.Append(Field(e, field!));
        }

        var bytes = Encoding.UTF8.GetByteCount(sb.ToString());
        var span = output.GetSpan(bytes);
        output.Advance(Encoding.UTF8.GetBytes(sb.ToString(), span));
    }

    private static string Field(in AccessLogEntry e, string name) => name switch
    {
        "time" => e.Time.ToString("O", CultureInfo.InvariantCulture),
        "listener" => e.Listener,
        "protocol" => e.Protocol,
        "client" => e.Client ?? "-",
        "method" => e.Method ?? "-",
        "path" => e.Path ?? "-",
        "route" => e.Route ?? "-",
        "pool" => e.Pool ?? "-",
        "backend" => e.Backend ?? "-",
        "status" => e.Status == 0 ? "-" : e.Status.ToString(CultureInfo.InvariantCulture),
        "bytes_in" => e.BytesIn.ToString(CultureInfo.InvariantCulture),
        "bytes_out" => e.BytesOut.ToString(CultureInfo.InvariantCulture),
        "wait_ms" => Ms(e.WaitMs),
        "connect_ms" => Ms(e.ConnectMs),
        "first_byte_ms" => Ms(e.FirstByteMs),
        "total_ms" => Ms(e.TotalMs),
        "request_id" => e.RequestId ?? "-",
        "tls_version" => e.TlsVersion ?? "-",
        "affinity_hit" => e.AffinityHit ? "true" : "false",
        "outcome" => e.Outcome ?? "-",
        "trace_id" => e.TraceId ?? "-",
        _ => "-",
    };

    private static string Ms(double ms) => ms < 0 ? "-" : Math.Round(ms, 3).ToString(CultureInfo.InvariantCulture);
}
