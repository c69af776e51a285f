using System.Diagnostics;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Observability;

namespace Fulcrum.L7.Filters;

/// <summary>
/// `tracing.enabled`: the request to the backend carries this request's span as its W3C `traceparent` (and
/// `tracestate`), replacing whatever the client sent, so the backend's spans become children of the balancer's.
/// </summary>
internal sealed class TraceContextFilter : HttpFilter
{
    public static readonly TraceContextFilter Instance = new();

    public override FilterHooks Hooks => FilterHooks.RequestHead;

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        if (Activity.Current is { } span && ReferenceEquals(span.Source, RequestTracing.Source))
        {
            var headers = exchange.RequestHeaders;
            headers.Remove("traceparent");
            headers.Remove("tracestate");
            if (span.Id is { } id) headers["traceparent"] = id;
            if (!string.IsNullOrEmpty(span.TraceStateString)) headers["tracestate"] = span.TraceStateString;
        }

        return Continue;
    }
}
