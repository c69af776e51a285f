using System.Buffers;
using System.Globalization;
using System.Text;

namespace Fulcrum.Core.Observability;

/// <summary>Turns entries into UTF-8 lines: JSON objects (the default) or a `{field}` template.</summary>
internal sealed class AccessLogFormatter
{
    private readonly (string? Literal, string? Field)[]? _template;
    private readonly StringBuilder _line = new(256);
    private readonly QuotedNames _names = new();
    private readonly TimeText _time = new();

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
        // One span sized for the worst case (every string fully escaped), so no field checks for room.
        var most = 1024 + TimeText.MaxBytes + JsonLineWriter.MaxBytes(e.Listener) + JsonLineWriter.MaxBytes(e.Protocol) + JsonLineWriter.MaxBytes(e.Method)
            + JsonLineWriter.MaxBytes(e.Path) + JsonLineWriter.MaxBytes(e.Route) + JsonLineWriter.MaxBytes(e.Pool)
            + JsonLineWriter.MaxBytes(e.Backend) + JsonLineWriter.MaxBytes(e.RequestId) + JsonLineWriter.MaxBytes(e.TlsVersion)
            + JsonLineWriter.MaxBytes(e.Outcome) + JsonLineWriter.MaxBytes(e.TraceId) + JsonLineWriter.MaxBytes(e.Protection)
            + JsonLineWriter.MaxBytes(e.WafRules) + JsonLineWriter.MaxBytes(e.Host) + JsonLineWriter.MaxBytes(e.Query)
            + JsonLineWriter.MaxBytes(e.UserAgent) + JsonLineWriter.MaxBytes(e.Referer) + JsonLineWriter.MaxBytes(e.Cache)
            + JsonLineWriter.MaxBytes(e.Encoding);
        var w = new JsonLineWriter(output.GetSpan(most));
        // Names that repeat line after line come from _names; the path, request id and trace id differ every time.
        w.Time("time"u8, e.Time, _time);
        w.String("listener"u8, e.Listener, _names);
        w.String("protocol"u8, e.Protocol, _names);
        if (e.Client is null) w.Null("client"u8);
        else w.Endpoint("client"u8, e.Client, e.ClientPort);
        if (e.Method is not null) w.String("method"u8, e.Method, _names);
        if (e.Host is not null) w.String("host"u8, e.Host);
        if (e.Path is not null) w.String("path"u8, e.Path);
        if (e.Query is not null) w.String("query"u8, e.Query);
        if (e.Route is not null) w.String("route"u8, e.Route, _names);
        w.String("pool"u8, e.Pool, _names);
        w.String("backend"u8, e.Backend, _names);
        if (e.Status != 0) w.Number("status"u8, e.Status);
        w.Number("bytes_in"u8, e.BytesIn);
        w.Number("bytes_out"u8, e.BytesOut);
        if (e.DatagramsIn != 0 || e.DatagramsOut != 0)
        {
            w.Number("datagrams_in"u8, e.DatagramsIn);
            w.Number("datagrams_out"u8, e.DatagramsOut);
        }

        w.Milliseconds("wait_ms"u8, e.WaitMs);
        w.Milliseconds("connect_ms"u8, e.ConnectMs);
        w.Milliseconds("first_byte_ms"u8, e.FirstByteMs);
        w.Milliseconds("total_ms"u8, e.TotalMs);
        if (e.Method is not null)
        {
            // http only: the backend's share of the time, for telling a slow backend from a slow client or network.
            w.Milliseconds("upstream_connect_ms"u8, e.UpstreamConnectMs);
            w.Milliseconds("upstream_header_ms"u8, e.UpstreamHeaderMs);
            w.Milliseconds("upstream_total_ms"u8, e.UpstreamTotalMs);
        }

        if (e.RequestId is not null) w.String("request_id"u8, e.RequestId);
        if (e.TlsVersion is not null) w.String("tls_version"u8, e.TlsVersion, _names);
        w.Boolean("affinity_hit"u8, e.AffinityHit);
        if (e.Outcome is not null) w.String("outcome"u8, e.Outcome, _names);
        if (e.TraceId is not null) w.String("trace_id"u8, e.TraceId);
        if (e.Protection is not null) w.String("protection"u8, e.Protection, _names);
        if (e.WafRules is not null) w.String("waf_rules"u8, e.WafRules);
        if (e.UserAgent is not null) w.String("user_agent"u8, e.UserAgent);
        if (e.Referer is not null) w.String("referer"u8, e.Referer);
        if (e.Cache is not null) w.String("cache"u8, e.Cache, _names);
        if (e.Encoding is not null) w.String("encoding"u8, e.Encoding, _names);
        output.Advance(w.End());
    }

    private void AppendTemplate(in AccessLogEntry e, ArrayBufferWriter<byte> output)
    {
        var sb = _line.Clear();
        foreach (var (literal, field) in _template!)
        {
            if (literal is not null) sb.Append(literal);
            else sb.Append(Field(e, field!));
        }

        foreach (var chunk in sb.GetChunks())
        {
            output.Advance(Encoding.UTF8.GetBytes(chunk.Span, output.GetSpan(Encoding.UTF8.GetMaxByteCount(chunk.Length))));
        }
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
        "protection" => e.Protection ?? "-",
        "waf_rules" => e.WafRules ?? "-",
        "host" => e.Host ?? "-",
        "query" => e.Query ?? "-",
        "user_agent" => e.UserAgent ?? "-",
        "referer" => e.Referer ?? "-",
        "upstream_connect_ms" => e.Method is null ? "-" : Ms(e.UpstreamConnectMs),
        "upstream_header_ms" => e.Method is null ? "-" : Ms(e.UpstreamHeaderMs),
        "upstream_total_ms" => e.Method is null ? "-" : Ms(e.UpstreamTotalMs),
        "cache" => e.Cache ?? "-",
        "encoding" => e.Encoding ?? "-",
        _ => "-",
    };

    private static string Client(in AccessLogEntry e)
    {
        Span<byte> text = stackalloc byte[64];
        return Encoding.ASCII.GetString(text[..JsonLineWriter.AppendEndpoint(text, e.Client!, e.ClientPort)]);
    }

    private static string Ms(double ms) => ms < 0 ? "-" : Math.Round(ms, 3).ToString(CultureInfo.InvariantCulture);
}
