using System.Diagnostics;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Observability;
using Fulcrum.L7.Hosting;
using Microsoft.AspNetCore.Connections.Features;

namespace Fulcrum.L7.Observability;

/// <summary>Builds the access log entry of a finished http request (only for requests that are logged).</summary>
internal static class AccessLogLine
{
    public static AccessLogEntry From(Exchange.HttpExchange exchange, ListenerConfig listener, long bytesIn, long bytesOut)
    {
        var record = exchange.Record;
        var now = Stopwatch.GetTimestamp();
        var tls = listener.Protocol == ListenerProtocol.Https ? exchange.TlsProtocol : null;
        return new AccessLogEntry
        {
            Time = DateTimeOffset.UtcNow,
            Listener = listener.Name,
            Protocol = listener.Protocol == ListenerProtocol.Https ? "https" : "http",
            Client = exchange.ClientAddress,
            ClientPort = exchange.ClientPort,
            Method = exchange.Method,
            Path = exchange.Path.Value,
            Route = record.Route,
            Pool = record.Pool,
            Backend = record.Backend,
            Status = exchange.Status,
            BytesIn = bytesIn,
            BytesOut = bytesOut,
            WaitMs = record.Since(record.BackendChosen),
            ConnectMs = -1,
            FirstByteMs = record.Since(record.FirstByte),
            TotalMs = record.Since(now),
            RequestId = record.RequestId ?? (exchange.RequestHeader(Filters.RequestIdFilter.HeaderName) is { Count: > 0 } id ? id.ToString() : null),
            TlsVersion = tls?.ToString(),
            AffinityHit = record.AffinityHit,
            Outcome = record.Outcome,
            TraceId = record.TraceId,
            Protection = record.Protection,
            WafRules = record.WafRules,
            Host = exchange.Host.HasValue ? exchange.Host.Value : null,
            Query = exchange.Query.HasValue ? exchange.Query.Value![1..] : null,
            UserAgent = HeaderOrNull(exchange.RequestHeader("User-Agent")),
            Referer = HeaderOrNull(exchange.RequestHeader("Referer")),
            UpstreamConnectMs = record.UpstreamConnectMs,
            UpstreamHeaderMs = RequestRecord.Between(record.UpstreamStarted, record.FirstByte),
            UpstreamTotalMs = RequestRecord.Between(record.UpstreamStarted, record.UpstreamEnded),
            Cache = record.Cache,
            Encoding = record.Encoding,
        };
    }

    // One value as is (the same string Kestrel keeps for the connection when it repeats); several joined; none is null.
    private static string? HeaderOrNull(Microsoft.Extensions.Primitives.StringValues values) => values.Count switch
    {
        0 => null,
        1 => values[0],
        _ => values.ToString(),
    };
}
