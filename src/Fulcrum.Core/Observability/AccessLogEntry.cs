namespace Fulcrum.Core.Observability;

/// <summary>
/// One access log line before formatting: a request (http), a connection (tcp) or a session (udp). A struct, so queueing it
/// copies fields instead of allocating. Timings are milliseconds; a negative one means "did not happen" and is
/// written as null (JSON) or `-` (template).
/// </summary>
public struct AccessLogEntry
{
    public DateTimeOffset Time;
    public string Listener;
    /// <summary>http, https, tcp or udp.</summary>
    public string Protocol;
    /// <summary>The client's address; with <see cref="ClientPort"/>, formatted by the writer, off the request path.</summary>
    public System.Net.IPAddress? Client;
    public int ClientPort;
    public string? Method;
    public string? Path;
    public string? Route;
    public string? Pool;
    public string? Backend;
    /// <summary>The status sent to the client; 0 for tcp.</summary>
    public int Status;
    /// <summary>Bytes from the client (request body for http).</summary>
    public long BytesIn;
    /// <summary>Bytes to the client (response body for http).</summary>
    public long BytesOut;
    /// <summary>Datagrams from the client (udp; 0 otherwise, and then not written).</summary>
    public long DatagramsIn;
    /// <summary>Datagrams to the client (udp).</summary>
    public long DatagramsOut;
    /// <summary>From arrival until a backend was chosen (routing, affinity, balancer).</summary>
    public double WaitMs;
    /// <summary>TCP connect to the backend (tcp; http reuses pooled connections, so -1).</summary>
    public double ConnectMs;
    /// <summary>Until the backend's response headers (http) or first byte (tcp).</summary>
    public double FirstByteMs;
    public double TotalMs;
    public string? RequestId;
    public string? TlsVersion;
    public bool AffinityHit;
    /// <summary>How the backend work ended: success, server-error, connect-failure, reset, timeout, client-abort.</summary>
    public string? Outcome;
    /// <summary>The W3C trace id of the request's span when tracing is on.</summary>
    public string? TraceId;
    /// <summary>`protection:reason` when an edge protection refused, delayed or flagged the request (docs/protection.md).</summary>
    public string? Protection;
    /// <summary>The WAF rules that matched a request the WAF refused or flagged, space-separated ids.</summary>
    public string? WafRules;
    /// <summary>What the route's cache did: hit, stale, revalidated, collapsed, miss or bypass; null without a cache (docs/caching.md).</summary>
    public string? Cache;
    /// <summary>The request's Host (http; with its port when it has one).</summary>
    public string? Host;
    /// <summary>The request's query string without the `?` (http; null when it has none).</summary>
    public string? Query;
    public string? UserAgent;
    public string? Referer;
    /// <summary>The last attempt's connect to the backend (http; -1 when a kept-alive connection was reused or none was made).</summary>
    public double UpstreamConnectMs;
    /// <summary>From the start of the last attempt to the backend's response head (http).</summary>
    public double UpstreamHeaderMs;
    /// <summary>From the start of the last attempt to the end of the backend's body (http).</summary>
    public double UpstreamTotalMs;
    /// <summary>The content coding Fulcrum sent the response in (`gzip`, `br`, `zstd`); null when it encoded nothing.</summary>
    public string? Encoding;
}
