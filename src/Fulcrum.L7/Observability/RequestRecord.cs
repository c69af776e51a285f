using System.Diagnostics;

namespace Fulcrum.L7.Observability;

/// <summary>
/// What the forwarder learns about one request, for the access log: one object per connection, reset per
/// request (it lives on <see cref="ProxyRequest"/>), so recording allocates nothing.
/// </summary>
internal sealed class RequestRecord
{
    public long Started;
    public long BackendChosen;
    public long FirstByte;
    /// <summary>When the last attempt on a backend began (the request head about to be sent, or a connection opened).</summary>
    public long UpstreamStarted;
    /// <summary>When the last attempt's answer (head and body) was through.</summary>
    public long UpstreamEnded;
    /// <summary>The last attempt's connect to the backend (TCP, and TLS to a re-encrypting pool); -1 when a kept-alive connection was reused.</summary>
    public double UpstreamConnectMs = -1;
    /// <summary>The content coding Fulcrum applied to the response (`gzip`, `br`, `zstd`), or a precompressed file's; null when none.</summary>
    public string? Encoding;
    public string? Route;
    /// <summary>The counters of the route that matched (`fulcrum_route_*`), counted when the request ends; null for no route.</summary>
    public Fulcrum.Core.Observability.RouteStats? RouteStats;
    public string? Pool;
    public string? Backend;
    public string? Outcome;
    public bool AffinityHit;
    public string? TraceId;
    /// <summary>The X-Request-ID the listener kept or made (null when request ids are off: the log then reads the header).</summary>
    public string? RequestId;
    /// <summary>`protection:reason` from the <see cref="Fulcrum.Core.Observability.ProtectionCounter"/> of a protection that refused, delayed or flagged the request.</summary>
    public string? Protection;
    /// <summary>The ids of the WAF rules that matched a request the WAF refused or flagged, space-separated (its audit record).</summary>
    public string? WafRules;
    /// <summary>What the route's cache did with the request (`hit`, `miss`, ...); null when the route has no cache.</summary>
    public string? Cache;

    /// <summary>
    /// Body bytes read from the client, when the forwarder counted them (a chunked body has no Content-Length);
    /// -1 when unknown, and the listener falls back to the request's Content-Length.
    /// </summary>
    public long BytesIn = -1;

    /// <summary>Body bytes sent to the client, when the forwarder counted them; -1 when unknown (see <see cref="BytesIn"/>).</summary>
    public long BytesOut = -1;

    public void Begin()
    {
        Started = Stopwatch.GetTimestamp();
        BackendChosen = 0;
        FirstByte = 0;
        UpstreamStarted = 0;
        UpstreamEnded = 0;
        UpstreamConnectMs = -1;
        Encoding = null;
        Route = null;
        RouteStats = null;
        Pool = null;
        Backend = null;
        Outcome = null;
        AffinityHit = false;
        TraceId = null;
        RequestId = null;
        Protection = null;
        WafRules = null;
        Cache = null;
        BytesIn = -1;
        BytesOut = -1;
    }

    /// <summary>Milliseconds from arrival to <paramref name="stamp"/>; -1 when it never happened.</summary>
    public double Since(long stamp) => stamp == 0 ? -1 : Stopwatch.GetElapsedTime(Started, stamp).TotalMilliseconds;

    /// <summary>Milliseconds from <paramref name="from"/> to <paramref name="to"/>; -1 when either never happened.</summary>
    public static double Between(long from, long to) => from == 0 || to == 0 ? -1 : Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}
