using System.Collections.Frozen;

namespace Fulcrum.Core.Observability;

/// <summary>The names an access log line may carry; JSON lines carry all of them, a template any of them as `{name}`.</summary>
public static class AccessLogFields
{
    public static readonly string[] Names =
    [
        "time", "listener", "protocol", "client", "method", "path", "route", "pool", "backend", "status",
        "bytes_in", "bytes_out", "wait_ms", "connect_ms", "first_byte_ms", "total_ms", "request_id", "tls_version",
        "affinity_hit", "outcome", "trace_id", "protection", "waf_rules", "cache", "datagrams_in", "datagrams_out",
        "host", "query", "user_agent", "referer", "upstream_connect_ms", "upstream_header_ms", "upstream_total_ms", "encoding",
    ];

    public static readonly FrozenSet<string> Known = Names.ToFrozenSet(StringComparer.Ordinal);
}
