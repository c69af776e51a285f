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
        w.WriteString(Names.Time, e.Time);
        w.WriteString(Names.Listener, e.Listener);
        w.WriteString(Names.Protocol, e.Protocol);
        if (e.Client is null) w.WriteNull(Names.Client);
        else w.WriteString(Names.Client, Client(e));
        if (e.Method is not null) w.WriteString(Names.Method, e.Method);
        if (e.Path is not null) w.WriteString(Names.Path, e.Path);
        if (e.Route is not null) w.WriteString(Names.Route, e.Route);
        w.WriteString(Names.Pool, e.Pool);
        w.WriteString(Names.Backend, e.Backend);
        if (e.Status != 0) w.WriteNumber(Names.Status, e.Status);
        w.WriteNumber(Names.BytesIn, e.BytesIn);
        w.WriteNumber(Names.BytesOut, e.BytesOut);
        if (e.DatagramsIn != 0 || e.DatagramsOut != 0)
        {
            w.WriteNumber(Names.DatagramsIn, e.DatagramsIn);
            w.WriteNumber(Names.DatagramsOut, e.DatagramsOut);
        }

        Ms(w, Names.WaitMs, e.WaitMs);
        Ms(w, Names.ConnectMs, e.ConnectMs);
        Ms(w, Names.FirstByteMs, e.FirstByteMs);
        Ms(w, Names.TotalMs, e.TotalMs);
        if (e.RequestId is not null) w.WriteString(Names.RequestId, e.RequestId);
        if (e.TlsVersion is not null) w.WriteString(Names.TlsVersion, e.TlsVersion);
        w.WriteBoolean(Names.AffinityHit, e.AffinityHit);
        if (e.Outcome is not null) w.WriteString(Names.Outcome, e.Outcome);
        if (e.TraceId is not null) w.WriteString(Names.TraceId, e.TraceId);
        w.WriteEndObject();
        w.Flush();
    }

    private static void Ms(Utf8JsonWriter w, JsonEncodedText name, double ms)
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
        "client" => e.Client is null ? "-" : Client(e),
        "method" => e.Method ?? "-",
        "path" => e.Path ?? "-",
        "route" => e.Route ?? "-",
        "pool" => e.Pool ?? "-",
        "backend" => e.Backend ?? "-",
        "status" => e.Status == 0 ? "-" : e.Status.ToString(CultureInfo.InvariantCulture),
        "bytes_in" => e.BytesIn.ToString(CultureInfo.InvariantCulture),
        "bytes_out" => e.BytesOut.ToString(CultureInfo.InvariantCulture),
        "datagrams_in" => e.DatagramsIn.ToString(CultureInfo.InvariantCulture),
        "datagrams_out" => e.DatagramsOut.ToString(CultureInfo.InvariantCulture),
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

    private static string Client(in AccessLogEntry e) =>
        e.Client!.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !e.Client.IsIPv4MappedToIPv6
            ? $"[{e.Client}]:{e.ClientPort.ToString(CultureInfo.InvariantCulture)}"
            : $"{(e.Client.IsIPv4MappedToIPv6 ? e.Client.MapToIPv4() : e.Client)}:{e.ClientPort.ToString(CultureInfo.InvariantCulture)}";

    private static string Ms(double ms) => ms < 0 ? "-" : Math.Round(ms, 3).ToString(CultureInfo.InvariantCulture);

    // Property names encoded once, not per line.
    private static class Names
    {
        public static readonly JsonEncodedText AffinityHit = JsonEncodedText.Encode("affinity_hit");
        public static readonly JsonEncodedText Backend = JsonEncodedText.Encode("backend");
        public static readonly JsonEncodedText BytesIn = JsonEncodedText.Encode("bytes_in");
        public static readonly JsonEncodedText BytesOut = JsonEncodedText.Encode("bytes_out");
        public static readonly JsonEncodedText Client = JsonEncodedText.Encode("client");
        public static readonly JsonEncodedText DatagramsIn = JsonEncodedText.Encode("datagrams_in");
        public static readonly JsonEncodedText DatagramsOut = JsonEncodedText.Encode("datagrams_out");
        public static readonly JsonEncodedText ConnectMs = JsonEncodedText.Encode("connect_ms");
        public static readonly JsonEncodedText FirstByteMs = JsonEncodedText.Encode("first_byte_ms");
        public static readonly JsonEncodedText Listener = JsonEncodedText.Encode("listener");
        public static readonly JsonEncodedText Method = JsonEncodedText.Encode("method");
        public static readonly JsonEncodedText Outcome = JsonEncodedText.Encode("outcome");
        public static readonly JsonEncodedText Path = JsonEncodedText.Encode("path");
        public static readonly JsonEncodedText Pool = JsonEncodedText.Encode("pool");
        public static readonly JsonEncodedText Protocol = JsonEncodedText.Encode("protocol");
        public static readonly JsonEncodedText RequestId = JsonEncodedText.Encode("request_id");
        public static readonly JsonEncodedText Route = JsonEncodedText.Encode("route");
        public static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
        public static readonly JsonEncodedText Time = JsonEncodedText.Encode("time");
        public static readonly JsonEncodedText TlsVersion = JsonEncodedText.Encode("tls_version");
        public static readonly JsonEncodedText TotalMs = JsonEncodedText.Encode("total_ms");
        public static readonly JsonEncodedText TraceId = JsonEncodedText.Encode("trace_id");
        public static readonly JsonEncodedText WaitMs = JsonEncodedText.Encode("wait_ms");
    }
}
